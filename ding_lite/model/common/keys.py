"""Model keys every model declares alike (see ``ding_lite.config.keys`` for how a key is declared)."""
from __future__ import annotations

from typing import Any

from ding_lite.config.keys import Key
from ding_lite.config.rules import positive, shape


def widths(value: Any) -> str | None:
    """A non-empty list of positive ints (layer widths)."""
    ok = isinstance(value, (list, tuple)) and value and all(
        isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in value)
    return None if ok else "be a non-empty list of positive ints"


def obs_shape(default: Any) -> Key:
    return Key(default, "observation size, or [C, H, W] for images (a conv encoder then)", shape,
               types=(int, list, tuple))


def action_shape(default: int, meaning: str = "number of discrete actions, or action dimensions") -> Key:
    return Key(default, meaning, positive)
