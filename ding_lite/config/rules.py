"""Rules a key's declaration names: ``value -> None`` when fine, else the reason completing "must ..."."""
from __future__ import annotations

from typing import Any

from ding_lite.config.keys import Rule


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def positive(value: Any) -> str | None:
    if value is None:
        return None
    if not _number(value):
        return f"be a number, not {type(value).__name__}"
    return None if value > 0 else "be > 0"


def non_negative(value: Any) -> str | None:
    if value is None:
        return None
    if not _number(value):
        return f"be a number, not {type(value).__name__}"
    return None if value >= 0 else "be >= 0"


def in_unit_interval(value: Any) -> str | None:
    return None if 0 <= value <= 1 else "be between 0 and 1"


def one_of(*choices: Any) -> Rule:
    def rule(value: Any) -> str | None:
        return None if value in choices else f"be one of {', '.join(repr(c) for c in choices)}"
    return rule


def of_type(*types: type) -> Rule:
    """For keys whose default is None: the type the value must have when it is set."""
    def rule(value: Any) -> str | None:
        if value is None or (isinstance(value, types) and not _is_bool_for_number(value, types)):
            return None
        return f"be {' or '.join(t.__name__ for t in types)}, not {type(value).__name__}"
    return rule


def all_of(*rules: Rule) -> Rule:
    def rule(value: Any) -> str | None:
        for each in rules:
            reason = each(value)
            if reason:
                return reason
        return None
    return rule


def _is_bool_for_number(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, bool) and bool not in types


def shape(value: Any) -> str | None:
    """A positive int, or a non-empty list of positive ints."""
    dims = value if isinstance(value, (list, tuple)) else [value]
    ok = dims and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims)
    return None if ok else "be a positive int or a non-empty list of positive ints"


