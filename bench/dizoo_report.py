"""The census tables of ``dizoo_compat.py``: one row per file, then per folder, then the distinct causes."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass


@dataclass
class Row:
    file: str
    policy: str
    env: str
    result: str
    reason: str = ""


def print_table(rows: list[Row]) -> None:
    widths = [max(len(h), *(len(getattr(r, f)) for r in rows)) for h, f in
              (("file", "file"), ("policy", "policy"), ("env", "env"), ("result", "result"))]
    header = ("file", "policy", "env", "result", "speed, or the first line of the error")
    print("  ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=True)).rstrip())
    for r in rows:
        cells = (r.file, r.policy, r.env, r.result)
        print("  ".join([*(c.ljust(w) for c, w in zip(cells, widths, strict=True)), r.reason]).rstrip())


def folder(file: str) -> str:
    """The census's folder of a row: ``classic_control/cartpole``, ``mujoco``, ``atari/pong``."""
    parts = file.split("/")
    if parts[0] == "atari":
        return f"atari/{parts[3]}"
    return parts[0] if parts[1] == "config" else f"{parts[0]}/{parts[1]}"


def cause(reason: str) -> str:
    """A refusal's cause without the per-file details (the list of known policies, a temporary path)."""
    reason = re.sub(r", which is not a known policy \(.*\)\.$", ", which is not a known policy.", reason)
    reason = re.sub(r"config file '[^']*' failed", "config file failed", reason)
    reason = re.sub(r", got .*\.$", ".", reason)  # the file's own value
    return re.sub(r"'/tmp/[^']*'", "'<file>'", reason)


def print_census(rows: list[Row], ok: str) -> None:
    """Per folder: files that run (or build) unchanged, refused, other; then every distinct cause with its count."""
    by_folder: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_folder[folder(r.file)][r.result if r.result in (ok, "refused") else "other"] += 1
    print(f"\n{'folder':28} {'files':>5} {ok:>7} {'refused':>7} {'other':>5}")
    for name in sorted(by_folder):
        c = by_folder[name]
        print(f"{name:28} {sum(c.values()):5d} {c[ok]:7d} {c['refused']:7d} {c['other']:5d}")
    total = Counter(r.result if r.result in (ok, "refused") else "other" for r in rows)
    print(f"{'all':28} {len(rows):5d} {total[ok]:7d} {total['refused']:7d} {total['other']:5d}")
    print("\nRefusal and failure causes (files):")
    for reason, n in Counter(cause(r.reason) for r in rows if r.result != ok).most_common():
        print(f"  {n:3d}  {reason}")


