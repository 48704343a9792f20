"""Faults that end a run mid-way as one sentence: a full disk, a non-finite number.

They pass through the hook registry unwrapped; the pipeline adds which checkpoint to resume from and
the CLI prints the sentence without a traceback. Nothing here imports torch.
"""
from __future__ import annotations

import errno

NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class RunFault(RuntimeError):
    """A run stopped by its machine or its numbers; the message is the one sentence the user reads."""


class DiskFull(RunFault):
    """No space left (or quota used up) while writing a run's file."""


class NonFinite(RunFault):
    """A NaN or Inf in what the env returned or in a loss, gradient or weight."""


def no_space_error(exc: BaseException) -> OSError | None:
    """The ENOSPC/EDQUOT OSError behind ``exc`` (itself, its cause or its context), else None.

    torch.save reports a full disk as ``RuntimeError: [enforce fail at inline_container.cc]`` with the
    OSError only as its context, so the whole chain is searched.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def disk_full(exc: BaseException, writing: str) -> DiskFull | None:
    """A DiskFull naming the file being written when ``exc`` comes from a full disk, else None."""
    if isinstance(exc, DiskFull):
        return exc
    found = no_space_error(exc)
    if found is None:
        return None
    what = "disk quota exceeded" if found.errno == errno.EDQUOT else "no space left on device"
    return DiskFull(f"{what} while writing {found.filename or writing}")
