"""Capture and restore the internal state of in-process gymnasium envs as plain data.

Exact resume (DESIGN.md "Checkpoints and resume") needs every env's state in the checkpoint, and
checkpoints are loaded with ``torch.load(weights_only=True)``, so the state may only hold python
scalars, str/bytes, None, tensors and lists/tuples/dicts of them: never a pickled env object. numpy
arrays and scalars go through the checkpoint codec (``array_codec.encode_array``: a tensor plus dtype
and shape); sets, deques, RNGs, enums are stored as tagged dicts. Dict keys are plain scalars, as
``ding_lite.utils.checkpoint_io`` requires.

For every object of the chain (``env``, ``env.env``, ... ``env.unwrapped``), first the adapter tables
(``adapters.ADAPTERS`` and ``NAMED_ADAPTERS``: per env class, for state that reflection cannot read, such as
ALE's emulator or MuJoCo's MjData) capture the attributes they own; then the reflective capture (``reflect``) takes the other instance attributes when
they hold plain values, numpy arrays/scalars, deques, ``np.random.Generator``s, sets of scalars, or
lists/tuples/dicts of these. Also captured: the sampling RNG of gymnasium Spaces (nothing else of a
Space: bounds and shape are configuration), enum members (by name, resolved again against the fresh
env's enum class) and lists of sub-envs such as ``SyncVectorEnv.envs``. Skipped, because building the
env the same way re-creates them identically: the ``env`` link itself, ``spec``, ``metadata``,
``render_mode``, the wrappers' ``_saved_kwargs`` and ``SyncVectorEnv.env_fns``; and what rendering draws on
(``screen``, ``screens``, ``surf``, ``clock``, ``isopen``), a picture of the state rather than state.

Anything else (physics-engine handles without an adapter, a pygame surface, file handles, callables,
helper objects such as ``RunningMeanStd``, ndarray subclasses, namedtuples) makes the env uncapturable:
``capture`` raises ``EnvStateUnsupported`` naming the class and the attribute. Objects shared between
attributes (e.g. an observation array held by both ``SyncVectorEnv`` and its sub-env's checker) are
restored shared; arrays that only partially overlap in memory are refused.

Not reproduced by a restore: wall-clock values keep the old process's clock (e.g.
``RecordEpisodeStatistics`` episode times), and a restored Generator has a fresh SeedSequence, so
``Generator.spawn`` differs.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gymnasium import Env
from gymnasium.vector import VectorEnv

from ding_lite.envs.state.adapters import ADAPTERS, NAMED_ADAPTERS, StateAdapter, adapter_for
from ding_lite.envs.state.reflect import READABLE_VERSIONS, Decoder, Encoder, EnvStateUnsupported

__all__ = ["ADAPTERS", "NAMED_ADAPTERS", "EnvStateUnsupported", "StateAdapter", "adapter_for", "can_capture", "capture", "restore"]


def capture(env: Env | VectorEnv) -> dict[str, Any]:
    """Return the env's complete internal state (wrappers and RNGs too) as plain data.

    The result shares nothing with the env: it stays valid while the env keeps running.
    """
    return Encoder().env(env)


def restore(env: Env | VectorEnv, state: dict[str, Any]) -> None:
    """Put a ``capture`` result into ``env``, built the same way as the saved one.

    ``env`` may be fresh or already used. Everything is checked before the first attribute is
    written, so a mismatch (ValueError) leaves ``env`` untouched. ``state`` is not modified and may
    be restored into several envs.
    """
    if not isinstance(state, dict) or state.get("version") not in READABLE_VERSIONS:
        found = state.get("version") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"env state has format version {found!r}, expected one of {READABLE_VERSIONS}")
    ops: list[Callable[[], None]] = []
    Decoder().env(env, state, ops)
    for op in ops:
        op()


def can_capture(env: Env | VectorEnv) -> bool:
    """Whether ``capture`` succeeds, i.e. the env can be resumed exactly."""
    try:
        capture(env)
    except EnvStateUnsupported:
        return False
    return True
