"""Capture and restore the internal state of in-process gymnasium envs as plain data.

Exact resume (DESIGN.md "Resume semantics") needs every env's state in the checkpoint,
and checkpoints are loaded with ``torch.load(weights_only=True)`` (DESIGN.md
"Checkpoints"), so the state may only hold python scalars, str/bytes, None and
lists/tuples/dicts of them: never a pickled env object. numpy arrays and numpy scalars
are not loadable under ``weights_only`` without allowlisting numpy internals, so they
(and sets, deques, RNGs) are stored as tagged dicts; arrays as raw bytes, dtype and
shape. Dict keys are plain scalars, as ``ding_lite.utils.checkpoint_io`` requires.

For every object of the chain (``env``, ``env.env``, ... ``env.unwrapped``) the
instance attributes are captured when they hold plain values, numpy arrays/scalars,
deques, ``np.random.Generator``s, sets of scalars, or lists/tuples/dicts of these.
Also captured: the sampling RNG of gymnasium Spaces (nothing else of a Space: bounds
and shape are configuration), enum members (by name, resolved again against the fresh
env's enum class) and lists of sub-envs such as ``SyncVectorEnv.envs``. Skipped, because building
the env the same way re-creates them identically: the ``env`` link itself, ``spec``,
``metadata``, ``render_mode``, the wrappers' ``_saved_kwargs`` and
``SyncVectorEnv.env_fns``.

Anything else (physics-engine handles, a pygame surface, file handles, callables,
helper objects such as ``RunningMeanStd``, ndarray subclasses, namedtuples) makes the
env uncapturable: ``capture_env_state`` raises ``EnvStateUnsupported`` naming the class
and the attribute. Objects shared between attributes (e.g. an observation array held by
both ``SyncVectorEnv`` and its sub-env's checker) are restored shared; arrays that only
partially overlap in memory are refused.

Not reproduced by a restore: wall-clock values keep the old process's clock (e.g.
``RecordEpisodeStatistics`` episode times), and a restored Generator has a fresh
SeedSequence, so ``Generator.spawn`` differs.
"""

from collections import deque
from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import VectorEnv, VectorWrapper

_VERSION = 1
# Marks dicts that encode a non-plain value; user dicts holding this key are refused.
_TAG = "__ding_lite_env_state__"
# Configuration re-created identically by building the env the same way.
_SKIPPED = frozenset(
    {
        "env",
        "spec",
        "_cached_spec",
        "metadata",
        "_metadata",
        "render_mode",
        "_saved_kwargs",
        "env_fns",
    }
)
_SCALARS = (bool, int, float, complex, str, bytes, type(None))
_BIT_GENERATORS = frozenset({"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"})


class EnvStateUnsupported(Exception):
    """The env holds state that cannot be stored as plain data: no exact resume."""


def capture_env_state(env: gym.Env | VectorEnv) -> dict[str, Any]:
    """Return the env's complete internal state (wrappers and RNGs too) as plain data.

    The result shares nothing with the env: it stays valid while the env keeps running.
    """
    return _Encoder().env(env)


def restore_env_state(env: gym.Env | VectorEnv, state: dict[str, Any]) -> None:
    """Put a ``capture_env_state`` result into ``env``, built the same way as the saved.

    ``env`` may be fresh or already used. Everything is checked before the first
    attribute is written, so a mismatch (ValueError) leaves ``env`` untouched. ``state``
    is not modified and may be restored into several envs.
    """
    if not isinstance(state, dict) or state.get("version") != _VERSION:
        found = state.get("version") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"env state has format version {found!r}, expected {_VERSION}")
    ops: list[Callable[[], None]] = []
    _Decoder().env(env, state, ops)
    for op in ops:
        op()


def can_capture(env: gym.Env | VectorEnv) -> bool:
    """Whether ``capture_env_state`` succeeds, i.e. the env can be resumed exactly."""
    try:
        capture_env_state(env)
    except EnvStateUnsupported:
        return False
    return True


def _chain(env: gym.Env | VectorEnv) -> list[Any]:
    """The env and everything it wraps, outermost first."""
    if not isinstance(env, (gym.Env, VectorEnv)):
        raise TypeError(f"expected a gymnasium Env or VectorEnv, got {type(env).__name__}")
    chain = [env]
    while isinstance(chain[-1], (gym.Wrapper, VectorWrapper)):
        chain.append(chain[-1].env)
    return chain


def _class_name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _spaces(space: gym.spaces.Space) -> list[gym.spaces.Space]:
    """The space and its sub-spaces (Dict, Tuple, Sequence, ...) in a fixed order."""
    found = [space]
    for value in vars(space).values():
        if isinstance(value, dict):
            candidates = list(value.values())
        elif isinstance(value, (list, tuple)):
            candidates = list(value)
        else:
            candidates = [value]
        for sub in candidates:
            if isinstance(sub, gym.spaces.Space):
                found.extend(_spaces(sub))
    return found


def _is_env_list(value: object) -> bool:
    return type(value) in (list, tuple) and len(value) > 0 and all(isinstance(e, (gym.Env, VectorEnv)) for e in value)


def _is_key(value: object) -> bool:
    """Dict keys and set items must be plain scalars: they cannot be tagged, and
    ding_lite.utils.checkpoint_io only accepts scalar keys."""
    return type(value) in _SCALARS and value != _TAG


class _Encoder:
    """Converts one env's attributes to plain data.

    Mutable objects are numbered in visiting order; a second reference to one is stored
    as a ``ref`` to its number, so the decoder (same order) can share it again.
    """

    def __init__(self) -> None:
        # id -> (number, the object kept alive so that its id is not reused)
        self._memo: dict[int, tuple[int, object]] = {}
        self._arrays_by_root: dict[int, list[tuple[np.ndarray, str]]] = {}

    def env(self, env: gym.Env | VectorEnv) -> dict[str, Any]:
        chain = _chain(env)
        return {
            "version": _VERSION,
            "chain": [_class_name(obj) for obj in chain],
            "attrs": [
                {
                    name: self._attr(value, type(obj).__name__, name)
                    for name, value in vars(obj).items()
                    if name not in _SKIPPED
                }
                for obj in chain
            ],
        }

    def _attr(self, value: object, owner: str, name: str) -> object:
        where = f"{owner}.{name}"
        if isinstance(value, gym.spaces.Space):
            return {
                _TAG: "space",
                "class": _class_name(value),
                "rngs": [self._value(getattr(s, "_np_random", None), where) for s in _spaces(value)],
            }
        if isinstance(value, Enum):
            return {_TAG: "enum", "class": _class_name(value), "name": value.name}
        if _is_env_list(value):
            return {_TAG: "envs", "envs": [self.env(e) for e in value]}
        return self._value(value, where)

    def _unsupported(self, value: object, where: str, why: str = "") -> EnvStateUnsupported:
        owner, _, attr = where.partition(".")
        reason = why or f"holds a {type(value).__module__}.{type(value).__qualname__}"
        return EnvStateUnsupported(
            f"cannot capture the state of {owner}: attribute {attr!r} {reason}, which cannot be stored as plain data"
        )

    def _remember(self, value: object) -> dict[str, Any] | None:
        """Number a mutable object; return a ``ref`` when it was seen before."""
        seen = self._memo.get(id(value))
        if seen is not None:
            return {_TAG: "ref", "index": seen[0]}
        self._memo[id(value)] = (len(self._memo), value)
        return None

    def _value(self, value: object, where: str) -> object:
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind in (np.ndarray, np.random.Generator, deque, list, dict, set):
            ref = self._remember(value)
            if ref is not None:
                return ref
        if kind is np.ndarray:
            return self._array(value, where)
        if isinstance(value, np.generic) and not value.dtype.hasobject:
            return {
                _TAG: "npscalar",
                "dtype": np.lib.format.dtype_to_descr(value.dtype),
                "data": value.tobytes(),
            }
        if kind is np.random.Generator:
            name = type(value.bit_generator).__name__
            if name not in _BIT_GENERATORS:
                raise self._unsupported(value, where, f"uses the bit generator {name}")
            return {_TAG: "rng", "state": self._value(value.bit_generator.state, where)}
        if kind is deque:
            return {
                _TAG: "deque",
                "maxlen": value.maxlen,
                "items": [self._value(v, f"{where}[{i}]") for i, v in enumerate(value)],
            }
        if kind in (list, tuple):
            return kind(self._value(v, f"{where}[{i}]") for i, v in enumerate(value))
        if kind is dict:
            if not all(_is_key(k) for k in value):
                raise self._unsupported(value, where, "is a dict with a non-plain key")
            return {k: self._value(v, f"{where}[{k!r}]") for k, v in value.items()}
        if kind is set and all(_is_key(v) for v in value):
            return {_TAG: "set", "items": list(value)}
        raise self._unsupported(value, where)

    def _array(self, value: np.ndarray, where: str) -> dict[str, Any]:
        if value.dtype.hasobject:
            raise self._unsupported(value, where, "is an array of python objects")
        root = value  # the object owning the memory, through views of views
        while getattr(root, "base", None) is not None:
            root = root.base
        overlapping = self._arrays_by_root.setdefault(id(root), [])
        for other, other_where in overlapping:
            if np.may_share_memory(value, other):
                raise self._unsupported(value, where, f"is an array overlapping {other_where} in memory")
        overlapping.append((value, where))
        fortran = value.flags.f_contiguous and not value.flags.c_contiguous
        return {
            _TAG: "ndarray",
            "dtype": np.lib.format.dtype_to_descr(value.dtype),
            "shape": value.shape,
            "fortran": fortran,
            "data": value.tobytes(order="F" if fortran else "C"),
        }


class _Decoder:
    """Turns plain data back into attribute values, in ``_Encoder``'s visiting order.

    It only collects the writes as ``ops``: nothing changes until all checks passed.
    """

    def __init__(self) -> None:
        self._memo: list[object] = []

    def env(
        self,
        env: gym.Env | VectorEnv,
        state: dict[str, Any],
        ops: list[Callable[[], None]],
    ) -> None:
        chain = _chain(env)
        names = [_class_name(obj) for obj in chain]
        if names != state["chain"]:
            raise ValueError(
                "env state was captured from the wrapper chain "
                f"{' > '.join(state['chain'])} but is restored into "
                f"{' > '.join(names)}; build the env the same way as the saved one"
            )
        for obj, attrs in zip(chain, state["attrs"], strict=True):
            for name, encoded in attrs.items():
                self._attr(obj, name, encoded, ops)
            # Attributes the saved env did not have (e.g. set by a reset it never had).
            for name in vars(obj):
                if name not in attrs and name not in _SKIPPED:
                    ops.append(partial(delattr, obj, name))

    def _attr(self, obj: object, name: str, encoded: object, ops: list[Callable[[], None]]) -> None:
        tag = encoded.get(_TAG) if type(encoded) is dict else None
        current = vars(obj).get(name)
        where = f"{type(obj).__name__}.{name}"
        if tag == "space":
            if not isinstance(current, gym.spaces.Space) or _class_name(current) != encoded["class"]:
                raise ValueError(
                    f"{where} should be a {encoded['class']} to restore its RNG, found {type(current).__name__}"
                )
            spaces = _spaces(current)
            if len(spaces) != len(encoded["rngs"]):
                raise ValueError(f"{where} has a different structure than the saved space")
            for space, rng in zip(spaces, encoded["rngs"], strict=True):
                ops.append(partial(setattr, space, "_np_random", self._value(rng)))
        elif tag == "enum":
            if (
                not isinstance(current, Enum)
                or _class_name(current) != encoded["class"]
                or encoded["name"] not in type(current).__members__
            ):
                raise ValueError(
                    f"{where} should be the {encoded['class']} member {encoded['name']}, found {current!r}"
                )
            member = type(current)[encoded["name"]]
            ops.append(partial(setattr, obj, name, member))
        elif tag == "envs":
            if not _is_env_list(current) or len(current) != len(encoded["envs"]):
                raise ValueError(f"{where} should hold {len(encoded['envs'])} envs")
            for sub_env, sub_state in zip(current, encoded["envs"], strict=True):
                self.env(sub_env, sub_state, ops)
        else:
            ops.append(partial(setattr, obj, name, self._value(encoded)))

    def _value(self, encoded: object) -> object:
        kind = type(encoded)
        if kind is dict and _TAG in encoded:
            return self._tagged(encoded)
        if kind is list:
            out = []
            self._memo.append(out)  # numbered before its items, as in _Encoder
            out.extend(self._value(v) for v in encoded)
            return out
        if kind is dict:
            out = {}
            self._memo.append(out)
            out.update((k, self._value(v)) for k, v in encoded.items())
            return out
        if kind is tuple:
            return tuple(self._value(v) for v in encoded)
        return encoded

    def _tagged(self, encoded: dict[str, Any]) -> object:
        tag = encoded[_TAG]
        if tag == "ref":
            return self._memo[encoded["index"]]
        if tag == "npscalar":
            dtype = np.lib.format.descr_to_dtype(encoded["dtype"])
            return np.ndarray((), dtype=dtype, buffer=bytearray(encoded["data"]))[()]
        if tag == "ndarray":
            dtype = np.lib.format.descr_to_dtype(encoded["dtype"])
            order = "F" if encoded["fortran"] else "C"
            view = np.ndarray(
                encoded["shape"],
                dtype=dtype,
                buffer=bytearray(encoded["data"]),
                order=order,
            )
            out = view.copy(order="K")  # own its memory, like the captured array
            self._memo.append(out)
            return out
        if tag == "rng":
            index = len(self._memo)
            self._memo.append(None)  # the Generator's number, taken before its state's
            state = self._value(encoded["state"])
            if state["bit_generator"] not in _BIT_GENERATORS:
                raise ValueError(f"unknown bit generator {state['bit_generator']!r}")
            bit_generator = getattr(np.random, state["bit_generator"])()
            bit_generator.state = state
            self._memo[index] = np.random.Generator(bit_generator)
            return self._memo[index]
        if tag == "set":
            out = set(encoded["items"])
            self._memo.append(out)
            return out
        if tag == "deque":
            out = deque(maxlen=encoded["maxlen"])
            self._memo.append(out)
            out.extend(self._value(v) for v in encoded["items"])
            return out
        raise ValueError(f"unknown entry {tag!r} in env state")
