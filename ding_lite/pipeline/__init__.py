"""The serial pipeline as a library: ``from ding_lite.pipeline import serial_pipeline_onpolicy``.

Names are resolved on first use, so ``ding_lite.pipeline.layout`` (run-dir names, no torch) stays light.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SerialPipeline": "ding_lite.pipeline.serial",
    "load_pipeline": "ding_lite.pipeline.loading",
    "restore_pipeline": "ding_lite.pipeline.loading",
    "serial_pipeline": "ding_lite.pipeline.loading",
    "serial_pipeline_onpolicy": "ding_lite.pipeline.loading",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ding_lite.pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
