"""Write a compiled config as a Python file that ``-c`` accepts again."""
from __future__ import annotations

import os
import pprint


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
