"""Every config key, declared once, beside the component that reads it.

How to declare a key
--------------------
A component (a policy class, a model, a worker, the env section) declares its keys as a dict whose
leaves are :class:`Key` and whose dicts are sections::

    KEYS = dict(
        eval_freq=Key(1000, "evaluate every N train iterations (and once before training)",
                      positive, resume=SILENT),
        hook=dict(log_show_after_iter=Key(100, "a text-log line every N train iterations", positive,
                                          resume=SILENT)),
    )

``Key(default, meaning, rule=None, *, resume=WARNED, di=SAME, types=None, note="")``

- ``default``: the value a config that leaves the key out gets. Its type is the key's type: an int default
  takes ints, a float default ints and floats, a list default lists and tuples; a ``None`` default takes
  anything, so give ``rule=of_type(int)`` (or ``types=``) to say more.
- ``meaning``: one line, for ``python -m entry.config TYPE`` and ``docs/config_reference.md``.
- ``rule``: ``value -> None`` when fine, else the reason completing "config key 'x' must ...".
  Rules that read several keys are a policy's ``checks`` (see ``Policy.checks``).
- ``resume`` (a resumed run whose config changes this key): ``WARNED`` (allowed, said once), ``SILENT``
  (stop criteria and frequencies), ``SHAPES`` (shapes saved state: refused).
- ``di`` (DI-engine 0.5.3 status): ``SAME`` (same meaning and default), ``differs(di_default, "why")``
  (DI-engine's default is ``di_default``; the console says so once when a config relies on it), ``IGNORED``
  (DI-engine reads it nowhere either: accepted, listed once on the console when set), ``LITE`` (ding_lite only).
- ``note``: said once on the console when a config sets the key to anything but its default (an accepted
  DI-engine key whose effect here is worth a sentence).
- ``absent``: only when a key's default changed after checkpoints were written without it: the value those
  checkpoints trained under (a resume reads a missing key as this, not as the new default).

A policy class's ``config`` is such a dict, merged along its class chain: a subclass gives a **plain value**
to change an inherited key's default (``learn=dict(actor_update_freq=2)``) and a ``Key`` to declare a new key
(or redeclare one whose meaning or DI-engine status changes). Nothing else about a key is written anywhere:
the compile, the resume classification, ``total_config.py`` and the reference read these declarations.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Any

Rule = Callable[[Any], "str | None"]

WARNED, SILENT, SHAPES = "warned", "silent", "refused"
RESUME_CLASSES = (WARNED, SILENT, SHAPES)
SAME, IGNORED, LITE = "same", "ignored", "ding_lite only"
_SAME_AS_DEFAULT = object()


@dataclass(frozen=True)
class Differs:
    """DI-engine's default for a key whose ding_lite default is another, and why."""

    di_default: Any
    why: str


def differs(di_default: Any, why: str) -> Differs:
    """``Key(False, ..., di=differs(True, "why ding_lite keeps False"))``."""
    return Differs(di_default, why)


@dataclass(frozen=True)
class Key:
    default: Any
    meaning: str
    rule: Rule | None = None
    _: KW_ONLY
    resume: str = WARNED
    di: str | Differs = SAME
    types: tuple[type, ...] | None = None
    note: str = ""
    absent: Any = field(default=_SAME_AS_DEFAULT, repr=False)

    def __post_init__(self) -> None:
        if self.resume not in RESUME_CLASSES:
            raise ValueError(f"Key.resume must be WARNED, SILENT or SHAPES, not {self.resume!r}")
        if not isinstance(self.di, Differs) and self.di not in (SAME, IGNORED, LITE):
            raise ValueError(f"Key.di must be SAME, IGNORED, LITE or differs(value, why), not {self.di!r}")

    def di_status(self) -> str:
        """The DI-engine column of the reference, in words."""
        if isinstance(self.di, Differs):
            return f"DI-engine's default is {self.di.di_default!r}: {self.di.why}"
        return {SAME: "same as DI-engine", IGNORED: "DI-engine ignores it too", LITE: "ding_lite only"}[self.di]


Tree = dict
"""A declaration tree: str -> Key | Tree."""


def merge_keys(base: Tree, diff: dict, path: str = "") -> Tree:
    """``diff`` over ``base``: a Key declares, a dict descends, a plain value changes an inherited default."""
    out = dict(base)
    for name, value in diff.items():
        dotted = f"{path}{name}"
        old = out.get(name)
        if isinstance(value, Key):
            out[name] = value
        elif isinstance(value, dict) and not isinstance(old, Key):
            out[name] = merge_keys(old or {}, value, dotted + ".")
        elif isinstance(old, Key):
            out[name] = replace(old, default=copy.deepcopy(value))
        else:
            raise TypeError(f"'{dotted}' changes the default of a key that no base class declares: declare it "
                            "with Key(default, meaning, ...)")
    return out


def iter_keys(tree: Tree, prefix: str = "") -> Iterator[tuple[str, Key]]:
    """(dotted path, Key) for every leaf, in declaration order."""
    for name, value in tree.items():
        if isinstance(value, Key):
            yield f"{prefix}{name}", value
        else:
            yield from iter_keys(value, f"{prefix}{name}.")


def defaults(tree: Tree, absent: bool = False) -> dict:
    """The plain config of every default (a fresh copy); ``absent``: what a checkpoint lacking a key trained under."""
    def leaf(decl: Key) -> Any:
        value = decl.absent if absent and decl.absent is not _SAME_AS_DEFAULT else decl.default
        return copy.deepcopy(value)

    return {name: leaf(value) if isinstance(value, Key) else defaults(value, absent) for name, value in tree.items()}


def find(tree: Tree, dotted: str) -> Key | Tree | None:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def mount(tree: Tree, dotted: str, section: Tree) -> Tree:
    """``tree`` with ``section`` mounted at ``dotted`` (the pipeline mounts each worker's keys); where ``tree``
    already declares a key there (PG's collector type), its declaration wins."""
    *parents, last = dotted.split(".")
    out = dict(tree)
    node = out
    for part in parents:
        node[part] = dict(node.get(part, {}))
        node = node[part]
    node[last] = merge_keys(section, node.get(last, {}))  # the tree's own declarations win
    return out


def all_resume(tree: Tree, resume: str) -> Tree:
    """Every key of a section with the same resume class (a model's keys all shape its weights)."""
    return {name: replace(value, resume=resume) if isinstance(value, Key) else all_resume(value, resume)
            for name, value in tree.items()}
