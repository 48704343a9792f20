"""Find and execute a DI-engine style config file (a Python file defining ``main_config``)."""
from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

from ding_lite.config.errors import ConfigError

SHIPPED_CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


def shipped_config_dir() -> Path:
    """The installed ``configs`` package, so ``-c cartpole_ppo_config.py`` works from any directory."""
    try:
        import configs
    except ImportError:
        return SHIPPED_CONFIG_DIR
    return Path(configs.__file__).resolve().parent


def find_config_file(name: str) -> Path:
    """A path as given wins; otherwise the name is looked up among the shipped configs."""
    given = Path(name).expanduser()
    if given.is_file():
        return given.resolve()
    shipped = shipped_config_dir() / given.name
    if shipped.is_file():
        return shipped
    raise ConfigError(f"config file '{name}' was found neither as given nor in {shipped_config_dir()}.")


def to_plain(value: Any) -> Any:
    """EasyDict and tuples become plain dicts and lists, so configs compare, merge and save uniformly."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def load_config_file(name: str) -> tuple[dict, dict, Path]:
    """Execute the file and return (main_config, create_config, resolved path)."""
    path = find_config_file(name)
    try:
        namespace = runpy.run_path(os.fspath(path), run_name="__ding_lite_config__")
    except Exception as exc:  # a config file is user code: any failure is reported as one sentence
        raise ConfigError(f"config file '{path}' failed to execute: {type(exc).__name__}: {exc}.") from exc
    if "main_config" not in namespace:
        raise ConfigError(f"config file '{path}' does not define main_config.")
    main, create = namespace["main_config"], namespace.get("create_config") or {}
    for label, value in (("main_config", main), ("create_config", create)):
        if not isinstance(value, dict):
            raise ConfigError(f"{label} in '{path}' must be a dict or EasyDict, not {type(value).__name__}.")
    return to_plain(main), to_plain(create), path
