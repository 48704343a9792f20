"""What a run tells its user beyond progress: warnings and notes, each in train.log and once on the console.

A library run (no console) prints nothing: its warnings go through ``warnings.warn`` and its notes only
into train.log.
"""
from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import TextIO


def warn(message: str, log: Callable[[str], None], console: TextIO | None) -> None:
    """Something the user should change or know went differently (an env id mapped, a config change)."""
    log(f"warning: {message}")
    if console is not None:
        print(f"warning: {message}", file=sys.stderr)
    else:
        warnings.warn(message, stacklevel=3)


def note(message: str, log: Callable[[str], None], console: TextIO | None) -> None:
    """A note that changes what the user gets (buffer not kept, no GPU, a key served differently)."""
    log(message)
    if console is not None:
        print(f"note: {message}", file=console, flush=True)
