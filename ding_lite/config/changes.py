"""Past-future-consistent config edits on resume (SLM-Lab's rule, made explicit).

A resumed run may change when it stops and how often it logs, saves and evaluates (keys declared
``resume=SILENT``); it may not change anything that shapes the state saved in the checkpoint
(``resume=SHAPES``); everything else is allowed with a warning that names the keys. The classes come
from the key declarations (``ding_lite.config.keys``).
"""
from __future__ import annotations

from ding_lite.config import diff_paths
from ding_lite.config.keys import SHAPES, SILENT, WARNED, Key, Tree
from ding_lite.config.save import OBJECT_MARK


def with_new_keys(saved: dict, defaults: dict) -> dict:
    """``saved`` plus the keys a newer ding_lite added since it was written, at the value it trained under.

    A key is added with a default that keeps the old behaviour; when that default later changes (PPO's
    ``value_norm`` took DI-engine's), its declaration's ``absent`` keeps the old one for such checkpoints,
    and ``defaults`` here is ``keys.defaults(tree, absent=True)``: a missing key is not a config change.
    """
    out = dict(saved)
    for key, value in defaults.items():
        if key not in out:
            out[key] = value
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = with_new_keys(out[key], value)
    return out


def resume_class(keys: Tree, dotted: str) -> str:
    """The declared resume class of a changed path (inside a dict-valued key: that key's); undeclared: warned."""
    node: Key | Tree = keys
    for part in dotted.split("."):
        if isinstance(node, Key):
            break
        if part not in node:
            return WARNED
        node = node[part]
    return node.resume if isinstance(node, Key) else WARNED


def classify_changes(saved: dict, current: dict, keys: Tree) -> tuple[list[str], list[str]]:
    """(refused, warned) dotted keys that differ between the checkpoint's config and this run's."""
    changed = [p.removesuffix(f".{OBJECT_MARK}") for p in diff_paths(saved, current)]  # nn.Tanh() -> nn.ReLU()
    classes = {p: resume_class(keys, p) for p in changed}
    refused = [p for p in changed if classes[p] == SHAPES]
    warned = [p for p in changed if classes[p] not in (SHAPES, SILENT)]
    return refused, warned
