"""Beyond one process on Ray: many runs as Ray tasks (``runs``), Tune trials (``tune``), env actors
(``ding_lite.envs.managers.ray``). Ray is an optional extra; nothing here imports it until asked.
"""
from __future__ import annotations

from types import ModuleType

from ding_lite.config.errors import ConfigError

EXTRAS = {"ray": "ray", "ray.tune": "tune"}
"""Module -> the setup.py extra that installs it."""


def require(module: str, what: str) -> ModuleType:
    """``import module`` or one sentence saying which extra to install, before anything runs or is written."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"{what} needs {module}, which is not installed: "
                          f"pip install -e \".[{EXTRAS[module]}]\"") from exc
