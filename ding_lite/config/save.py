"""Write a compiled config as a Python file that ``-c`` accepts again."""
from __future__ import annotations

import importlib
import math
import os
import pprint
from typing import Any

from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import Key, Tree

OBJECT_MARK = "__python__"
"""Checkpoints hold a config object (``nn.Tanh()``) as ``{OBJECT_MARK: source}``: weights_only loads plain values only."""


class _Source:
    """A value whose ``repr`` is the Python expression that rebuilds it, so pprint writes it verbatim."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _importable(obj: Any) -> tuple[str, str] | None:
    """(module, ``module.name``) of a class or function that a fresh process can import, else None."""
    module = getattr(obj, "__module__", None)
    if not module:
        return None
    try:
        found: Any = importlib.import_module(module)
    except ImportError:
        return None
    for name in (getattr(obj, "__qualname__", ""), getattr(obj, "__name__", "")):
        target = found
        for part in name.split(".") if name and "<" not in name else ["<"]:  # "<": lambdas, local classes
            target = getattr(target, part, None)
        if target is obj:
            return module, name if module == "builtins" else f"{module}.{name}"
    return None


def _torch_layer(value: Any) -> str | None:
    """``torch.nn.Tanh()``-style source for a parameter-free torch.nn layer whose repr is its constructor call."""
    if not type(value).__module__.startswith("torch.nn."):
        return None
    import torch

    name, text = type(value).__name__, repr(value)
    if getattr(torch.nn, name, None) is not type(value) or list(value.parameters()) or not text.startswith(f"{name}("):
        return None
    source = f"torch.nn.{text}"
    try:
        rebuilt = eval(source, {"torch": torch})  # our own repr of a torch class, checked below
    except Exception:  # noqa: BLE001 - any failure means the repr is not a constructor call
        return None
    return source if repr(rebuilt) == text else None


def _python(value: Any, path: str, imports: set[str]) -> Any:
    """The config with every value that is not a Python literal replaced by the source that rebuilds it."""
    if isinstance(value, dict):
        return {k: _python(v, f"{path}{k}.", imports) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_python(v, f"{path}{i}.", imports) for i, v in enumerate(value))
    if isinstance(value, float) and not math.isfinite(value):
        return _Source(f"float('{value}')")
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return value
    layer = _torch_layer(value)
    if layer is not None:
        imports.add("torch")
        return _Source(layer)
    found = _importable(value)
    if found is not None:
        if found[0] != "builtins":
            imports.add(found[0])
        return _Source(found[1])
    raise ValueError(f"config key '{path.rstrip('.')}' holds {value!r}, which total_config.py cannot write as Python: "
                     "use a literal, an importable class or function, or a parameter-free torch.nn layer.")


def config_source(cfg: dict) -> str:
    """pprint rather than a code formatter: it is instant and the output still loads as Python.

    A config may hold objects (DI-engine's ``hopper_onppo`` sets ``activation=nn.Tanh()``): they are written as
    the expression that rebuilds them, with the imports it needs, so the file runs again with ``-c``.
    """
    imports: set[str] = set()
    body = pprint.pformat(_python(cfg, "", imports), indent=1, width=100, sort_dicts=False)
    header = "".join(f"import {module}\n" for module in sorted(imports))
    return (
        "# Compiled by ding_lite: every key with its effective value. Run it again with -c.\n"
        f"{header}"
        f"main_config = {body}\n"
        "create_config = {}\n"
    )


def checkpoint_config(cfg: Any, path: str = "") -> Any:
    """The config with each object replaced by ``{OBJECT_MARK: its source}``; plain configs come back equal.

    Two runs configured with ``nn.Tanh()`` then compare equal on resume (the objects themselves never do).
    """
    if isinstance(cfg, dict):
        return {k: checkpoint_config(v, f"{path}{k}.") for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(checkpoint_config(v, f"{path}{i}.") for i, v in enumerate(cfg))
    if cfg is None or isinstance(cfg, (bool, int, float, complex, str, bytes)):
        return cfg
    return {OBJECT_MARK: repr(_python(cfg, path, set()))}


def restore_config_objects(saved: Any, given: Any, path: str = "") -> Any:
    """A checkpoint's config with its objects taken from ``given`` (the config file), where they are the same.

    Nothing from the checkpoint is evaluated: an object comes only from the user's own config file.
    """
    if isinstance(saved, dict) and set(saved) == {OBJECT_MARK}:
        if given is not None and checkpoint_config(given) == saved:
            return given
        raise ConfigError(f"the checkpoint's config key '{path.rstrip('.')}' is {saved[OBJECT_MARK]}, which the "
                          "config file does not give: pass the config the run was trained with.")
    if isinstance(saved, dict):
        given = given if isinstance(given, dict) else {}
        return {k: restore_config_objects(v, given.get(k), f"{path}{k}.") for k, v in saved.items()}
    return saved


def _commented(tree: dict, keys: Tree, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for name, value in tree.items():
        decl = keys.get(name) if isinstance(keys, dict) else None
        if isinstance(value, dict) and not isinstance(decl, Key):
            lines.append(f"{pad}{name!r}: {{")
            lines += _commented(value, decl if isinstance(decl, dict) else {}, indent + 4)
            lines.append(f"{pad}}},")
        else:
            comment = f"  # {decl.meaning}" if isinstance(decl, Key) else ""
            lines.append(f"{pad}{name!r}: {value!r},{comment}")
    return lines


def commented_source(cfg: dict, keys: Tree) -> str:
    """``total_config.py``: every key with its effective value and, as a comment, its declared meaning."""
    imports: set[str] = set()
    body = _python(cfg, "", imports)
    header = "".join(f"import {module}\n" for module in sorted(imports))
    return ("# Compiled by ding_lite: every key with its effective value. Run it again with -c.\n"
            f"{header}main_config = {{\n" + "\n".join(_commented(body, keys, 4)) + "\n}\ncreate_config = {}\n")


def save_config(cfg: dict, path: str, keys: dict | None = None) -> None:
    """``keys`` (the run's key declarations) adds each key's meaning as a comment."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(config_source(cfg) if keys is None else commented_source(cfg, keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def flat_items(tree: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, leaf value) pairs in the config's own order."""
    items: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            items += flat_items(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def config_markdown(cfg: dict) -> str:
    """The compiled config as a two-column markdown table for TensorBoard's text dashboard.

    One row per dotted key, so two runs' configs can be compared row by row side by side there.
    """
    rows = ["| key | value |", "|---|---|"]
    for key, value in flat_items(cfg):
        cell = repr(value).replace("|", "\\|")  # a bare pipe would end the table cell
        rows.append(f"| `{key}` | `{cell}` |")
    return "\n".join(rows)
