"""Find and execute a DI-engine style config file (a Python file defining ``main_config``)."""
from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ding_lite.config.errors import ConfigError


def find_config_file(name: str, search_path: Sequence[str | Path] = ()) -> Path:
    """A path as given wins; otherwise the name is looked up in each directory of ``search_path`` in turn.

    The CLI passes the shipped configs' directory; the library itself knows no config location.
    """
    given = Path(name).expanduser()
    if given.is_file():
        return given.resolve()
    for directory in search_path:
        candidate = Path(directory) / given.name
        if candidate.is_file():
            return candidate.resolve()
    where = ", ".join(str(d) for d in search_path) or "no search path"
    raise ConfigError(f"config file '{name}' was found neither as given nor in {where}.")


def to_plain(value: Any) -> Any:
    """EasyDict and tuples become plain dicts and lists, so configs compare, merge and save uniformly."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def _is_config_module(name: str) -> bool:
    return name == "configs" or name.startswith("configs.") or name.rsplit(".", 1)[-1].endswith("_config")


def _run_isolated(path: Path) -> dict:
    """Run a config file against fresh imports of the config modules it imports.

    Config files edit the configs they import in place (``main_config.exp_name = 'rr'``, as DI-engine's do),
    so a second load in one process (a notebook, Ray Tune, a test) would otherwise start from the first
    load's edits. The process's own imports of those modules are put back afterwards.
    """
    saved = {n: m for n, m in sys.modules.items() if _is_config_module(n)}
    for n in saved:
        del sys.modules[n]
    try:
        return runpy.run_path(os.fspath(path), run_name="__ding_lite_config__")
    finally:
        for n in [n for n in sys.modules if _is_config_module(n)]:
            del sys.modules[n]
        sys.modules.update(saved)


def load_config_file(name: str, search_path: Sequence[str | Path] = ()) -> tuple[dict, dict, Path]:
    """Execute the file and return (main_config, create_config, resolved path)."""
    path = find_config_file(name, search_path)
    try:
        namespace = _run_isolated(path)
    except Exception as exc:  # a config file is user code: any failure is reported as one sentence
        raise ConfigError(f"config file '{path}' failed to execute: {type(exc).__name__}: {exc}.") from exc
    if "main_config" not in namespace:
        raise ConfigError(f"config file '{path}' does not define main_config.")
    main, create = namespace["main_config"], namespace.get("create_config") or {}
    for label, value in (("main_config", main), ("create_config", create)):
        if not isinstance(value, dict):
            raise ConfigError(f"{label} in '{path}' must be a dict or EasyDict, not {type(value).__name__}.")
    return to_plain(main), to_plain(create), path
