"""Merge a user config over the components' defaults and reject anything that cannot run.

Every check here runs before a directory or file is made, so a typo costs the user one sentence
and nothing else.
"""
from __future__ import annotations

import copy
import difflib
from typing import Any

from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import Key, Tree, defaults, iter_keys
from ding_lite.config.rules import (  # noqa: F401 - re-exported: components import their rules from here
    Rule,
    all_of,
    in_unit_interval,
    non_negative,
    of_type,
    one_of,
    positive,
    shape,
)

CREATE_CONFIG_TARGETS = {
    "env": ("env",),
    "env_manager": ("env", "manager"),
    "policy": ("policy",),
    "collector": ("policy", "collect", "collector"),
    "replay_buffer": ("policy", "other", "replay_buffer"),
}
"""Where each section of DI-engine's ``create_config`` lands in the compiled config."""


def accepted_types(decl: Key) -> tuple[type, ...] | None:
    """The types a key takes: its declaration's ``types``, else its default's type (None: any)."""
    if decl.types is not None:
        return decl.types
    default = decl.default
    if default is None:
        return None
    if isinstance(default, bool):
        return (bool,)
    if isinstance(default, int):
        return (int,)
    if isinstance(default, float):
        return (int, float)
    if isinstance(default, (list, tuple)):
        return (list, tuple)
    return (type(default),)


def _suggestion(name: str, siblings: list[str], root: Tree) -> str:
    close = difflib.get_close_matches(name, siblings, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    elsewhere = [p for p, _ in iter_keys(root) if p.rsplit(".", 1)[-1] == name]
    if elsewhere:
        return f"; it is valid at '{elsewhere[0]}'"
    return ""


def _check_type(decl: Key, value: Any, dotted: str) -> None:
    types = accepted_types(decl)
    if types is None or value is None:
        return
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join(t.__name__ for t in types)
        raise ConfigError(f"config key '{dotted}' must be {names}, not {type(value).__name__} ({value!r}).")


def _merge(keys: Tree, user: dict, path: str, root: Tree) -> dict:
    merged = defaults(keys)
    for name, value in user.items():
        dotted = f"{path}{name}"
        if name not in keys:
            raise ConfigError(f"unknown config key '{dotted}'{_suggestion(name, sorted(keys), root)}")
        decl = keys[name]
        if not isinstance(decl, Key):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{dotted}' must be a dict, not {type(value).__name__}.")
            merged[name] = _merge(decl, value, dotted + ".", root)
            continue
        _check_type(decl, value, dotted)
        merged[name] = list(value) if isinstance(value, tuple) else copy.deepcopy(value)
    return merged


def lift_create_config(main: dict, create: dict) -> dict:
    """Fold DI-engine's ``create_config`` (component types) into the main tree."""
    lifted = copy.deepcopy(main)
    for section, value in create.items():
        if section not in CREATE_CONFIG_TARGETS:
            valid = sorted(CREATE_CONFIG_TARGETS)
            raise ConfigError(f"unknown create_config key '{section}'{_suggestion(section, valid, {})}")
        if not isinstance(value, dict):
            raise ConfigError(f"create_config key '{section}' must be a dict, not {type(value).__name__}.")
        node = lifted
        for part in CREATE_CONFIG_TARGETS[section]:
            node = node.setdefault(part, {})
        for key, item in value.items():
            node.setdefault(key, item)
    return lifted


def get_path(tree: dict, dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node


def set_path(tree: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = tree
    for part in parents:
        node = node[part]
    node[last] = value


def check_rules(keys: Tree, cfg: dict) -> None:
    """Every declared rule on the value the config ends up with (after CLI overrides too)."""
    for dotted, decl in iter_keys(keys):
        if decl.rule is None:
            continue
        value = get_path(cfg, dotted)
        reason = decl.rule(value)
        if reason:
            raise ConfigError(f"config key '{dotted}' must {reason}, got {value!r}.")


def compile_config(main: dict, create: dict, keys: Tree) -> dict:
    """Return the full config: user values over the declared defaults, every type and rule checked."""
    merged = _merge(keys, lift_create_config(main, create), "", keys)
    check_rules(keys, merged)
    return merged


def diff_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two compiled configs (used when resuming)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        return [p for k in keys for p in diff_paths(old.get(k), new.get(k), f"{prefix}{k}.")]
    return [] if old == new else [prefix.rstrip(".")]
