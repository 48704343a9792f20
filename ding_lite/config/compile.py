"""Merge a user config over the components' defaults and reject anything that cannot run.

Every check here runs before a directory or file is made, so a typo costs the user one sentence
and nothing else.
"""
from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterator
from typing import Any

from ding_lite.config.errors import ConfigError

Rule = Callable[[Any], "str | None"]
"""Returns why a value is impossible (completing 'must ...'), or None when it is fine."""

OPEN = "__open__"
"""A default dict holding this key accepts any sub-keys (free-form user data)."""

CREATE_CONFIG_TARGETS = {
    "env": ("env",),
    "env_manager": ("env", "manager"),
    "policy": ("policy",),
    "collector": ("policy", "collect", "collector"),
    "replay_buffer": ("policy", "other", "replay_buffer"),
}
"""Where each section of DI-engine's ``create_config`` lands in the compiled config."""


def positive(value: Any) -> str | None:
    return None if value is None or value > 0 else "be > 0"


def non_negative(value: Any) -> str | None:
    return None if value is None or value >= 0 else "be >= 0"


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


SHAPE_KEYS = ("obs_shape",)
"""Keys whose default is an int but which also take a list: ``obs_shape`` is 4 or ``[4, 84, 84]``."""


def shape(value: Any) -> str | None:
    """A positive int, or a non-empty list of positive ints."""
    dims = value if isinstance(value, (list, tuple)) else [value]
    ok = dims and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims)
    return None if ok else "be a positive int or a non-empty list of positive ints"


def _accepted_types(default: Any, key: str = "") -> tuple[type, ...] | None:
    if key in SHAPE_KEYS:
        return (int, list, tuple)
    if default is None:
        return None
    if isinstance(default, bool):
        return (bool,)
    if isinstance(default, int):
        return (int,)
    if isinstance(default, float):
        return (int, float)
    if isinstance(default, (list, tuple)):
        return (list, tuple)
    return (type(default),)


def _all_paths(tree: dict, prefix: str = "") -> Iterator[str]:
    for key, value in tree.items():
        if key == OPEN:
            continue
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, dict):
            yield from _all_paths(value, path + ".")


def _suggestion(key: str, siblings: list[str], defaults_root: dict) -> str:
    close = difflib.get_close_matches(key, siblings, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    elsewhere = [p for p in _all_paths(defaults_root) if p.rsplit(".", 1)[-1] == key]
    if elsewhere:
        return f"; it is valid at '{elsewhere[0]}'"
    return ""


def _without_open(tree: dict) -> dict:
    """A deep copy of a defaults tree without its OPEN markers (they mark sections, they are not keys)."""
    return {k: _without_open(v) if isinstance(v, dict) else copy.deepcopy(v) for k, v in tree.items() if k != OPEN}


def _merge(default: dict, user: dict, path: str, root: dict) -> dict:
    merged = _without_open(default)
    for key, value in user.items():
        dotted = f"{path}{key}"
        if key not in default:
            if OPEN in default:
                merged[key] = copy.deepcopy(value)
                continue
            valid = sorted(k for k in default if k != OPEN)
            raise ConfigError(f"unknown config key '{dotted}'{_suggestion(key, valid, root)}")
        base = default[key]
        if isinstance(base, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{dotted}' must be a dict, not {type(value).__name__}.")
            merged[key] = _merge(base, value, dotted + ".", root)
            continue
        types = _accepted_types(base, key)
        if types is not None and value is not None and (
            not isinstance(value, types) or _is_bool_for_number(value, types)
        ):
            names = " or ".join(t.__name__ for t in types)
            raise ConfigError(
                f"config key '{dotted}' must be {names}, not {type(value).__name__} ({value!r})."
            )
        merged[key] = list(value) if isinstance(value, tuple) else copy.deepcopy(value)
    return merged


def lift_create_config(main: dict, create: dict) -> dict:
    """Fold DI-engine's ``create_config`` (component types) into the main tree."""
    lifted = copy.deepcopy(main)
    for section, value in create.items():
        if section not in CREATE_CONFIG_TARGETS:
            valid = sorted(CREATE_CONFIG_TARGETS)
            raise ConfigError(f"unknown create_config key '{section}'{_suggestion(section, valid, {})}")
        if not isinstance(value, dict):
            raise ConfigError(f"create_config key '{section}' must be a dict, not {type(value).__name__}.")
        node = lifted
        for part in CREATE_CONFIG_TARGETS[section]:
            node = node.setdefault(part, {})
        for key, item in value.items():
            node.setdefault(key, item)
    return lifted


def get_path(tree: dict, dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node


def set_path(tree: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = tree
    for part in parents:
        node = node[part]
    node[last] = value


def compile_config(main: dict, create: dict, defaults: dict, rules: dict[str, Rule]) -> dict:
    """Return the full config: user values over defaults, every key type-checked and every rule applied."""
    merged = _merge(defaults, lift_create_config(main, create), "", defaults)
    for dotted, rule in rules.items():
        try:
            value = get_path(merged, dotted)
        except KeyError:
            raise ValueError(f"a config rule names '{dotted}', which is not a key of the config tree") from None
        reason = rule(value)
        if reason:
            raise ConfigError(f"config key '{dotted}' must {reason}, got {value!r}.")
    return merged


def diff_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two compiled configs (used when resuming)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        return [p for k in keys for p in diff_paths(old.get(k), new.get(k), f"{prefix}{k}.")]
    return [] if old == new else [prefix.rstrip(".")]
