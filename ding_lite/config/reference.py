"""What the key declarations tell a user: the reference of a policy type, a config's departures from the
defaults, and the DI-engine defaults a config relies on — all read from ``ding_lite.config.keys`` declarations."""
from __future__ import annotations

from typing import Any

from ding_lite.config.keys import LITE, SAME, Differs, Key, Tree, iter_keys

RESUME_WORDS = {"warned": "change warned", "silent": "change silent", "refused": "shapes saved state"}


def _cell(value: Any) -> str:
    return repr(value).replace("|", "\\|")


def reference_rows(keys: Tree) -> list[tuple[str, str, str, str, str]]:
    """(dotted key, default, meaning, on resume, DI-engine status) for every declared key."""
    return [(path, repr(decl.default), decl.meaning, RESUME_WORDS[decl.resume], decl.di_status())
            for path, decl in iter_keys(keys)]


def reference_text(policy_name: str, keys: Tree) -> str:
    """Every key of a policy type's runs, for the console (``python -m entry.config TYPE``)."""
    count = sum(1 for _ in iter_keys(keys))
    lines = [f"policy type '{policy_name}': {count} keys (key = default, its meaning [on resume; DI-engine status])"]
    for path, default, meaning, resume, di in reference_rows(keys):
        lines.append(f"{path} = {default}\n    {meaning}  [{resume}; {di}]")
    return "\n".join(lines)


def reference_markdown(per_type: dict[str, Tree]) -> str:
    """``docs/config_reference.md``: one table per policy type."""
    out = ["# Config reference", "",
           "Generated from the key declarations (`ding_lite/config/keys.py` says how a key is declared) by",
           "`python -m entry.config --markdown`; `tests/unit/test_config_reference.py` keeps it current.",
           "`python -m entry.config TYPE` prints one type's keys; `--diff FILE` shows where a config departs.", "",
           "On resume: *change silent* (stop criteria, frequencies), *change warned* (allowed, said once),",
           "*shapes saved state* (a resume that changes it is refused).", ""]
    for name, keys in per_type.items():
        out += [f"## `{name}`", "", "| key | default | meaning | on resume | DI-engine |", "|---|---|---|---|---|"]
        for path, default, meaning, resume, di in reference_rows(keys):
            out.append(f"| `{path}` | `{default.replace('|', chr(92) + '|')}` | {meaning.replace('|', chr(92) + '|')} "
                       f"| {resume} | {di.replace('|', chr(92) + '|')} |")
        out.append("")
    return "\n".join(out)


def departures(cfg: dict, keys: Tree) -> list[tuple[str, Any, Any, Key]]:
    """(dotted key, value, default, declaration) for every key whose compiled value is not its default."""
    out = []
    for path, decl in iter_keys(keys):
        node: Any = cfg
        for part in path.split("."):
            node = node[part]
        if node != decl.default and not (isinstance(node, list) and list(decl.default or []) == node
                                         and isinstance(decl.default, tuple)):
            out.append((path, node, decl.default, decl))
    return out


def diff_text(cfg: dict, keys: Tree) -> str:
    rows = departures(cfg, keys)
    lines = [f"{len(rows)} keys depart from the defaults:"]
    for path, value, default, decl in rows:
        di = "" if decl.di in (SAME, LITE) else f"; {decl.di_status()}"
        lines.append(f"{path} = {value!r}  (default {default!r}{di})")
    return "\n".join(lines)


def relied_on_differing_defaults(user: dict, keys: Tree) -> list[str]:
    """Keys a config leaves out whose DI-engine default differs from ding_lite's: said once on the console."""
    notes = []
    for path, decl in iter_keys(keys):
        if not isinstance(decl.di, Differs):
            continue
        node: Any = user
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            notes.append(f"{path} is not set: ding_lite's default is {decl.default!r}, DI-engine's is "
                         f"{decl.di.di_default!r} ({decl.di.why}); set it to choose.")
    return notes
