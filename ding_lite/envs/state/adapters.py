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


MUJOCO_DERIVED = ("xpos", "xquat", "xmat", "xipos", "ximat", "subtree_com", "geom_xpos", "geom_xmat", "site_xpos",
                  "site_xmat", "cinert", "cvel", "cfrc_int", "cfrc_ext", "qfrc_actuator", "sensordata")
"""MjData arrays an env may read before its next step (Ant's and Humanoid's positions for the forward reward,
Reacher's fingertip, contact forces). ``mj_step`` leaves them as its last forward pass computed them, one
integration behind the state; the next step recomputes them all from the state first."""


def _mujoco_capture(env: Any) -> dict[str, Any]:
    """qpos, qvel, act, time, controls, applied forces, mocap and the solver's warm start (what ``mj_step`` reads),
    plus ``MUJOCO_DERIVED`` as the last step left them.

    The warm start matters for bit-identity where contacts are solved: the constraint solver starts from it
    (measured: without it Ant's and Humanoid's first step after a restore differs; Hopper's does not).
    """
    import mujoco
    import numpy as np

    spec = _mujoco_spec()
    state = np.empty(mujoco.mj_stateSize(env.model, spec))
    mujoco.mj_getState(env.model, env.data, state, spec)
    return {"state": state, **{name: getattr(env.data, name).copy() for name in MUJOCO_DERIVED}}


def _mujoco_restore(env: Any, saved: dict[str, Any]) -> None:
    """Set the state, recompute everything else from it (``mj_forward``), then put back what the envs read."""
    import mujoco

    mujoco.mj_setState(env.model, env.data, saved["state"], _mujoco_spec())
    mujoco.mj_forward(env.model, env.data)
    for name in MUJOCO_DERIVED:
        getattr(env.data, name)[...] = saved[name]


NAMED_ADAPTERS: dict[str, StateAdapter] = {
    "ale_py.env.AtariEnv": StateAdapter(frozenset({"ale", "_action_set"}), _ale_capture, _ale_restore),
    "gymnasium.envs.mujoco.mujoco_env.MujocoEnv": StateAdapter(
        frozenset({"model", "data", "mujoco_renderer"}), _mujoco_capture, _mujoco_restore),
}
"""Adapters of optional simulators, keyed by the class's dotted name so that no simulator is imported here.

ALE: ``_action_set`` (Action enums) is configuration, rebuilt identically. MuJoCo: ``model`` is configuration and
the renderer holds no simulation state; the state and ``MUJOCO_DERIVED`` make gymnasium's robots (Hopper,
HalfCheetah, Walker2d, Ant, Humanoid, Reacher, ...) replay bit for bit after a restore.
"""
