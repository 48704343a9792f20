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
"""Env (or wrapper) class -> its adapter; subclasses use their nearest base class's adapter (``NAMED_ADAPTERS``
below holds those of the optional simulators)."""


def adapter_for(obj: object) -> StateAdapter | None:
    """The adapter of ``obj``'s class or of its nearest base class that has one, else None."""
    for cls in type(obj).__mro__:
        if cls in ADAPTERS:
            return ADAPTERS[cls]
        named = NAMED_ADAPTERS.get(f"{cls.__module__}.{cls.__qualname__}")
        if named is not None:
            return named
    return None


def _ale_capture(env: Any) -> bytes:
    """The emulator's RAM, registers, frame counters and its RNG (sticky actions draw from it)."""
    return bytes(env.ale.cloneState(include_rng=True).serialize())


def _ale_restore(env: Any, saved: bytes) -> None:
    from ale_py import ALEState

    env.ale.restoreState(ALEState(saved))


def _mujoco_spec() -> Any:
    import mujoco

    return mujoco.mjtState.mjSTATE_INTEGRATION


def _mujoco_capture(env: Any) -> Any:
    """qpos, qvel, act, time, controls, applied forces, mocap and the solver's warm start: what ``mj_step`` reads.

    The warm start matters for bit-identity: the constraint solver starts from it, so a restore without it
    diverges in the last bits within a few steps.
    """
    import mujoco
    import numpy as np

    spec = _mujoco_spec()
    state = np.empty(mujoco.mj_stateSize(env.model, spec))
    mujoco.mj_getState(env.model, env.data, state, spec)
    return state


def _mujoco_restore(env: Any, saved: Any) -> None:
    """Set the state, then recompute positions and forces from it (``mj_forward``)."""
    import mujoco

    mujoco.mj_setState(env.model, env.data, saved, _mujoco_spec())
    mujoco.mj_forward(env.model, env.data)


NAMED_ADAPTERS: dict[str, StateAdapter] = {
    "ale_py.env.AtariEnv": StateAdapter(frozenset({"ale", "_action_set"}), _ale_capture, _ale_restore),
    "gymnasium.envs.mujoco.mujoco_env.MujocoEnv": StateAdapter(
        frozenset({"model", "data", "mujoco_renderer"}), _mujoco_capture, _mujoco_restore),
}
"""Adapters of optional simulators, keyed by the class's dotted name so that no simulator is imported here.

ALE: ``_action_set`` (Action enums) is configuration, rebuilt identically. MuJoCo: ``model`` is configuration and
the renderer holds no simulation state. Exact for the locomotion envs whose step reads only that state and what
``mj_step`` computes (Hopper, HalfCheetah, Walker2d, Ant, Swimmer); an env that reads body positions before
stepping (Humanoid's mass centre, Reacher's fingertip) sees them recomputed from the restored state, where an
uninterrupted run sees the values the previous ``mj_step`` left.
"""
