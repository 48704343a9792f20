"""Write a compiled config as a Python file that ``-c`` accepts again."""
from __future__ import annotations

import os
import pprint
from typing import Any


def config_source(cfg: dict) -> str:
    """pprint rather than a code formatter: it is instant and the output still loads as Python."""
    body = pprint.pformat(cfg, indent=1, width=100, sort_dicts=False)
    return (
        "# Compiled by ding_lite: every key with its effective value. Run it again with -c.\n"
        f"main_config = {body}\n"
        "create_config = {}\n"
    )


def save_config(cfg: dict, path: str) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(config_source(cfg))
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
