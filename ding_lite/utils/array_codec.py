"""The array codec checkpoints and env state share: numpy values as tensors that ``weights_only`` loads.

NumPy arrays do not load under ``torch.load(..., weights_only=True)`` (their pickle needs numpy
globals), so each one is stored as a small dict holding a tensor plus its dtype and shape.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import torch

_NDARRAY_KEY = "__ding_lite_ndarray__"
_SCALAR_TYPES = (type(None), bool, int, float, complex, str, bytes, torch.dtype, torch.device)


def encode_value(value: Any, where: str) -> Any:
    """Copy ``value`` into what ``weights_only`` can load; fail at save time, not at resume time."""
    if isinstance(value, torch.Tensor) or type(value) in _SCALAR_TYPES:
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        return _encode_ndarray(value, where)
    if type(value) in (dict, OrderedDict):
        out = type(value)()
        for key, item in value.items():
            if type(key) not in _SCALAR_TYPES or key == _NDARRAY_KEY:
                raise TypeError(
                    f"checkpoint key {key!r} at {where} is not allowed (use plain str/int keys)"
                )
            out[key] = encode_value(item, f"{where}[{key!r}]")
        return out
    if type(value) in (list, tuple):
        return type(value)(encode_value(item, f"{where}[{i}]") for i, item in enumerate(value))
    raise TypeError(
        f"checkpoint value at {where} has type {type(value).__qualname__}, which weights_only "
        "loading cannot read (store plain values, tensors or numpy arrays)"
    )


def encode_array(value: np.ndarray | np.generic, where: str = "array") -> dict:
    """Array/numpy scalar -> ``{data, dtype, shape, scalar}``, loadable under ``weights_only``.

    The one array codec: checkpoints wrap it in their marker dict, env state in its own tag. Values,
    shape and dtype (structured ones too) round-trip; byte order becomes native. ``data`` may share
    memory with ``value``: copy first when ``value`` keeps changing before the save.
    """
    arr = np.asarray(value)
    if arr.dtype.hasobject:
        raise TypeError(
            f"checkpoint value at {where} is a numpy object array, which cannot be stored safely"
        )
    # Native byte order, C-contiguous and writable are what torch.from_numpy needs.
    arr = np.require(arr, dtype=arr.dtype.newbyteorder("="), requirements=["C", "W"])
    try:
        data = torch.from_numpy(arr)
    except TypeError:  # str / bytes / datetime / void dtypes: keep the raw bytes
        data = torch.from_numpy(arr.reshape(-1).view(np.uint8))
    return {
        "data": data,
        "dtype": np.lib.format.dtype_to_descr(arr.dtype),
        "shape": list(arr.shape),
        "scalar": isinstance(value, np.generic),
    }


def decode_array(encoded: dict) -> np.ndarray | np.generic:
    """Inverse of :func:`encode_array`; the array shares memory with ``encoded['data']``."""
    arr = encoded["data"].numpy()
    dtype = np.lib.format.descr_to_dtype(encoded["dtype"])
    if arr.dtype != dtype:
        arr = arr.view(dtype).reshape(encoded["shape"])
    return arr[()] if encoded["scalar"] else arr


def _encode_ndarray(value: np.ndarray | np.generic, where: str) -> dict:
    encoded = encode_array(value, where)
    return {_NDARRAY_KEY: encoded.pop("data"), **encoded}


def decode_value(value: Any) -> Any:
    """Inverse of :func:`encode_value`."""
    if type(value) in (dict, OrderedDict):
        if _NDARRAY_KEY in value:
            return decode_array({**value, "data": value[_NDARRAY_KEY]})
        return type(value)((key, decode_value(item)) for key, item in value.items())
    if type(value) in (list, tuple):
        return type(value)(decode_value(item) for item in value)
    return value
