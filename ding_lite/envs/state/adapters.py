"""Per-env-class state adapters, consulted before the reflective capture.

Some envs keep their state where reflection cannot read it: ALE's emulator behind ``AtariEnv.ale``,
MuJoCo's ``MjData`` behind ``MujocoEnv.data``. An adapter names the attributes it owns and turns them
into values the reflective capture can store (plain data, numpy arrays, generators) and back, e.g.
``ale.cloneState(include_rng=True)`` / ``restoreState``, or ``qpos``/``qvel``/``act``/``time`` /
``set_state``. Reflection still captures every other attribute of the object (its ``np_random``, wrappers).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StateAdapter:
    owns: frozenset[str]
    """Attributes of the object that the adapter captures; reflection skips them."""
    capture: Callable[[Any], Any]
    """object -> its owned state, as values the reflective capture can store."""
    restore: Callable[[Any, Any], None]
    """(object, what ``capture`` returned) -> None; runs only after every check of the restore passed."""


ADAPTERS: dict[type, StateAdapter] = {}
"""Env (or wrapper) class -> its adapter; subclasses use their nearest base class's adapter."""


def adapter_for(obj: object) -> StateAdapter | None:
    """The adapter of ``obj``'s class or of its nearest base class that has one, else None."""
    for cls in type(obj).__mro__:
        if cls in ADAPTERS:
            return ADAPTERS[cls]
    return None
