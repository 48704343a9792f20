"""The reflective capture: every instance attribute of every object of the wrapper chain, as plain data.

Arrays and numpy scalars go through the checkpoint codec (``array_codec.encode_array``) inside an
``array`` tag that adds what the codec leaves out: Fortran layout, non-native byte order, and the
number that lets a second reference share the restored array. Version 1 states (raw-bytes ``ndarray``
and ``npscalar`` tags) still restore.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import VectorEnv, VectorWrapper

from ding_lite.envs.state.adapters import adapter_for
from ding_lite.utils.array_codec import decode_array, encode_array

VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: arrays as raw bytes, no adapters
# Marks dicts that encode a non-plain value; user dicts holding this key are refused.
_TAG = "__ding_lite_env_state__"
# Configuration re-created identically by building the env the same way.
_SKIPPED = frozenset({"env", "spec", "_cached_spec", "metadata", "_metadata", "render_mode", "_saved_kwargs",
                      "env_fns",
                      # what rendering draws on (pygame surfaces, clocks): a picture of the state, not state
                      "screen", "screens", "surf", "clock", "isopen"})
_SCALARS = (bool, int, float, complex, str, bytes, type(None))
_BIT_GENERATORS = frozenset({"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"})
_descr = np.lib.format.descr_to_dtype


class EnvStateUnsupported(Exception):
    """The env holds state that cannot be stored as plain data: no exact resume."""


def chain(env: gym.Env | VectorEnv) -> list[Any]:
    """The env and everything it wraps, outermost first."""
    if not isinstance(env, (gym.Env, VectorEnv)):
        raise TypeError(f"expected a gymnasium Env or VectorEnv, got {type(env).__name__}")
    found = [env]
    while isinstance(found[-1], (gym.Wrapper, VectorWrapper)):
        found.append(found[-1].env)
    return found


def _class_name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _spaces(space: gym.spaces.Space) -> list[gym.spaces.Space]:
    """The space and its sub-spaces (Dict, Tuple, Sequence, ...) in a fixed order."""
    found = [space]
    for value in vars(space).values():
        subs = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
        found.extend(s for sub in subs if isinstance(sub, gym.spaces.Space) for s in _spaces(sub))
    return found


def _is_env_list(value: object) -> bool:
    return type(value) in (list, tuple) and len(value) > 0 and all(isinstance(e, (gym.Env, VectorEnv)) for e in value)


def _is_key(value: object) -> bool:
    """Dict keys and set items must be plain scalars: they cannot be tagged, and
    ding_lite.utils.checkpoint_io only accepts scalar keys."""
    return type(value) in _SCALARS and value != _TAG


def _skipped(obj: object) -> frozenset[str]:
    adapter = adapter_for(obj)
    return _SKIPPED if adapter is None else _SKIPPED | adapter.owns


class Encoder:
    """Converts one env's attributes to plain data.

    Mutable objects are numbered in visiting order; a second reference to one is stored
    as a ``ref`` to its number, so the decoder (same order) can share it again.
    """

    def __init__(self) -> None:
        # id -> (number, the object kept alive so that its id is not reused)
        self._memo: dict[int, tuple[int, object]] = {}
        self._arrays_by_root: dict[int, list[tuple[np.ndarray, str]]] = {}

    def env(self, env: gym.Env | VectorEnv) -> dict[str, Any]:
        objs = chain(env)
        attrs, adapted = [], []
        for obj in objs:
            skipped = _skipped(obj)
            attrs.append({name: self._attr(value, type(obj).__name__, name)
                          for name, value in vars(obj).items() if name not in skipped})
            adapter = adapter_for(obj)
            adapted.append(None if adapter is None else
                           {"value": self._value(adapter.capture(obj), f"{type(obj).__name__}.<adapter>")})
        return {"version": VERSION, "chain": [_class_name(obj) for obj in objs], "attrs": attrs, "adapted": adapted}

    def _attr(self, value: object, owner: str, name: str) -> object:
        where = f"{owner}.{name}"
        if isinstance(value, gym.spaces.Space):
            rngs = [self._value(getattr(s, "_np_random", None), where) for s in _spaces(value)]
            return {_TAG: "space", "class": _class_name(value), "rngs": rngs}
        if isinstance(value, Enum):
            return {_TAG: "enum", "class": _class_name(value), "name": value.name}
        if _is_env_list(value):
            return {_TAG: "envs", "envs": [self.env(e) for e in value]}
        return self._value(value, where)

    def _unsupported(self, value: object, where: str, why: str = "") -> EnvStateUnsupported:
        owner, _, attr = where.partition(".")
        reason = why or f"holds a {type(value).__module__}.{type(value).__qualname__}"
        return EnvStateUnsupported(f"cannot capture the state of {owner}: attribute {attr!r} {reason}, "
                                   "which cannot be stored as plain data")

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
        if kind is np.ndarray or isinstance(value, np.generic):
            return self._array(value, where)
        if kind is np.random.Generator:
            name = type(value.bit_generator).__name__
            if name not in _BIT_GENERATORS:
                raise self._unsupported(value, where, f"uses the bit generator {name}")
            return {_TAG: "rng", "state": self._value(value.bit_generator.state, where)}
        if kind is deque:
            items = [self._value(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {_TAG: "deque", "maxlen": value.maxlen, "items": items}
        if kind in (list, tuple):
            return kind(self._value(v, f"{where}[{i}]") for i, v in enumerate(value))
        if kind is dict:
            if not all(_is_key(k) for k in value):
                raise self._unsupported(value, where, "is a dict with a non-plain key")
            return {k: self._value(v, f"{where}[{k!r}]") for k, v in value.items()}
        if kind is set and all(_is_key(v) for v in value):
            return {_TAG: "set", "items": list(value)}
        raise self._unsupported(value, where)

    def _array(self, value: np.ndarray | np.generic, where: str) -> dict[str, Any]:
        if value.dtype.hasobject:
            raise self._unsupported(value, where, "is an array of python objects")
        fortran = False
        if isinstance(value, np.ndarray):
            self._check_overlap(value, where)
            fortran = value.flags.f_contiguous and not value.flags.c_contiguous
            value = value.T.copy() if fortran else value.copy()  # the state must not alias the running env
        encoded = {_TAG: "array", "fortran": fortran, **encode_array(value, where)}
        if value.dtype != value.dtype.newbyteorder("="):  # the codec stores native byte order
            encoded["exact_dtype"] = np.lib.format.dtype_to_descr(value.dtype)
        return encoded

    def _check_overlap(self, value: np.ndarray, where: str) -> None:
        root = value  # the object owning the memory, through views of views
        while getattr(root, "base", None) is not None:
            root = root.base
        overlapping = self._arrays_by_root.setdefault(id(root), [])
        for other, other_where in overlapping:
            if np.may_share_memory(value, other):
                raise self._unsupported(value, where, f"is an array overlapping {other_where} in memory")
        overlapping.append((value, where))


class Decoder:
    """Turns plain data back into attribute values, in ``Encoder``'s visiting order.

    It only collects the writes as ``ops``: nothing changes until all checks passed.
    """

    def __init__(self) -> None:
        self._memo: list[object] = []

    def env(self, env: gym.Env | VectorEnv, state: dict[str, Any], ops: list[Callable[[], None]]) -> None:
        objs = chain(env)
        names = [_class_name(obj) for obj in objs]
        if names != state["chain"]:
            raise ValueError(f"env state was captured from the wrapper chain {' > '.join(state['chain'])} but is "
                             f"restored into {' > '.join(names)}; build the env the same way as the saved one")
        adapted = state.get("adapted", [None] * len(objs))  # version 1 had no adapters
        for obj, attrs, saved in zip(objs, state["attrs"], adapted, strict=True):
            for name, encoded in attrs.items():
                self._attr(obj, name, encoded, ops)
            # Attributes the saved env did not have (e.g. set by a reset it never had).
            skipped = _skipped(obj)
            for name in vars(obj):
                if name not in attrs and name not in skipped:
                    ops.append(partial(delattr, obj, name))
            self._adapted(obj, saved, ops)

    def _adapted(self, obj: object, saved: dict | None, ops: list[Callable[[], None]]) -> None:
        adapter = adapter_for(obj)
        if (adapter is None) != (saved is None):
            had, has = ("without", "one") if saved is None else ("with", "none")
            raise ValueError(f"env state of {type(obj).__name__} was captured {had} a state adapter; "
                             f"this ding_lite has {has} for it")
        if adapter is not None:
            ops.append(partial(adapter.restore, obj, self._value(saved["value"])))

    def _attr(self, obj: object, name: str, encoded: object, ops: list[Callable[[], None]]) -> None:
        tag = encoded.get(_TAG) if type(encoded) is dict else None
        current = vars(obj).get(name)
        where = f"{type(obj).__name__}.{name}"
        if tag == "space":
            if not isinstance(current, gym.spaces.Space) or _class_name(current) != encoded["class"]:
                raise ValueError(f"{where} should be a {encoded['class']} to restore its RNG, "
                                 f"found {type(current).__name__}")
            spaces = _spaces(current)
            if len(spaces) != len(encoded["rngs"]):
                raise ValueError(f"{where} has a different structure than the saved space")
            for space, rng in zip(spaces, encoded["rngs"], strict=True):
                ops.append(partial(setattr, space, "_np_random", self._value(rng)))
        elif tag == "enum":
            if (not isinstance(current, Enum) or _class_name(current) != encoded["class"]
                    or encoded["name"] not in type(current).__members__):
                raise ValueError(f"{where} should be the {encoded['class']} member {encoded['name']}, "
                                 f"found {current!r}")
            ops.append(partial(setattr, obj, name, type(current)[encoded["name"]]))
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
            self._memo.append(out)  # numbered before its items, as in Encoder
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
        if tag == "array":
            value = decode_array(encoded)
            dtype = _descr(encoded.get("exact_dtype", encoded["dtype"]))
            if isinstance(value, np.generic):
                return value.astype(dtype) if value.dtype != dtype else value
            out = (value.T if encoded["fortran"] else value).astype(dtype, order="K")  # own memory, like the captured
            self._memo.append(out)
            return out
        if tag == "npscalar":  # version 1
            return np.ndarray((), dtype=_descr(encoded["dtype"]), buffer=bytearray(encoded["data"]))[()]
        if tag == "ndarray":  # version 1
            order = "F" if encoded["fortran"] else "C"
            view = np.ndarray(encoded["shape"], dtype=_descr(encoded["dtype"]), buffer=bytearray(encoded["data"]),
                              order=order)
            out = view.copy(order="K")
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
