"""Can this run write where it will write? Found before any file changes, by trying, not by asking.

``os.access`` answers from the permission bits, and for root it says yes to everything: a directory made
immutable (``chattr +i``), a read-only mount or a full quota all pass it. So each directory the run will
create files in gets a probe file created and deleted at once, and each file the run appends to is
opened for appending (which changes nothing).
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from ding_lite.config.errors import ConfigError

PROBE_PREFIX = ".ding_lite_write_probe."


def _reason(exc: OSError) -> str:
    """What is wrong with a path, as the rest of a sentence whose subject is the path."""
    if exc.errno == errno.EROFS:
        return "is on a read-only file system"
    if exc.errno == errno.ENOSPC:
        return "is on a full device"
    if exc.errno == errno.EDQUOT:
        return "is over its disk quota"
    if exc.errno == errno.EPERM:
        return "is not writable (immutable? see lsattr)"
    return f"is not writable ({exc.strerror})"


def dir_fault(path: Path) -> str:
    """Why no file can be created, written and deleted in ``path``; '' when one can.

    The directory's times are put back afterwards, so a run refused later still leaves it untouched.
    """
    try:
        before = os.stat(path)
        fd, name = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=path)
    except OSError as exc:
        return _reason(exc)
    refused: OSError | None = None
    try:
        os.write(fd, b"x")  # a byte, not only an inode: a full device refuses it
    except OSError as exc:
        refused = exc
    finally:
        os.close(fd)
    try:
        os.unlink(name)
    except OSError as exc:  # created but not deletable (chattr +a): pruning checkpoints would fail later
        return f"lets files be created but not deleted ({exc.strerror})"
    try:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    except OSError:
        pass  # the probe itself succeeded; only its trace on the directory's mtime stays
    return _reason(refused) if refused else ""


def probe_dir(path: Path, what: str) -> None:
    """ConfigError naming ``path`` when a file cannot be created (and deleted) in it."""
    fault = dir_fault(path)
    if fault:
        raise ConfigError(f"{what} '{path}' {fault}: nothing was changed.")


def probe_file(path: Path, what: str) -> None:
    """ConfigError naming ``path`` when it cannot be appended to (the open changes nothing)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f"{what} '{path}' {_reason(exc)}: nothing was changed.") from None


def check_new_run(run_dir: Path) -> None:
    """A new run creates ``run_dir``, or a stamped sibling when it exists, in the nearest existing ancestor."""
    probe = run_dir.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"experiment dir '{run_dir}' cannot be created: '{probe}' is a file, not a directory.")
    fault = dir_fault(probe)
    if fault:
        raise ConfigError(f"experiment dir '{run_dir}' cannot be created: '{probe}' {fault}.")


def check_resumed_run(run_dir: Path, ckpt_dir: str, log_dir: str, tb_subdir: str) -> None:
    """A resumed run writes checkpoints, its config copy, train.log and its TensorBoard files."""
    names = {run_dir: "experiment dir", run_dir / ckpt_dir: "checkpoint dir", run_dir / log_dir: "log dir",
             run_dir / log_dir / tb_subdir: "TensorBoard dir"}
    for path, what in names.items():
        if path.is_dir():
            probe_dir(path, what)
    probe_file(run_dir / log_dir / "train.log", "run log")
