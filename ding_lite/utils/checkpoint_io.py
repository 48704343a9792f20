"""Checkpoint files that survive a kill -9 at any instant and load without running foreign code.

Writes go to a temp file in the same directory, are fsynced, then ``os.replace``d over the final
name, so a reader only ever sees the previous complete file or the new complete file.  Loads always
use ``torch.load(..., weights_only=True)``, and every way a file can be wrong becomes one
:class:`CheckpointError` sentence that names the file.

NumPy arrays do not load under ``weights_only=True`` (their pickle needs numpy globals), so
:func:`save_checkpoint` stores each one as a small marker dict holding a tensor plus its dtype and
shape, and :func:`load_checkpoint` turns the markers back into arrays.  The file therefore loads
with a plain ``torch.load(path, weights_only=True)`` too, with no global allowlist changes.
"""

from __future__ import annotations

import os
import pickle
import re
import secrets
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import torch

from ding_lite.utils.array_codec import decode_value, encode_value
from ding_lite.utils.faults import disk_full

FORMAT_VERSION = 1

_ITERATION_RE = re.compile(r"iteration_(\d+)\.pth\.tar")
# ".<final name>.tmp.<pid>.<token>": never matches _ITERATION_RE, and the pid tells whether the
# writer may still be alive.
_TEMP_RE = re.compile(r"\..+\.tmp\.(\d+)\.[0-9a-f]+")
_ZIP_MAGIC = b"PK\x03\x04"
# Temp files this process is writing right now; any other temp carrying our pid is stale (after a
# kill -9 in a container the restarted run often gets the same pid again).
_in_progress: set[str] = set()


class CheckpointError(Exception):
    """A checkpoint file is missing, damaged, unsafe or belongs to another run/version."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _remove_stale_temps(directory: str) -> None:
    """Delete temp files left by saves that were killed, never those of a live writer."""
    with os.scandir(directory) as entries:
        for entry in entries:
            match = _TEMP_RE.fullmatch(entry.name)
            if match is None or entry.path in _in_progress:
                continue
            pid = int(match.group(1))
            if pid == os.getpid() or not _pid_alive(pid):
                try:
                    os.remove(entry.path)
                except FileNotFoundError:  # another saver cleaned it first
                    pass


def remove_temps(directory: str) -> list[str]:
    """Delete every checkpoint temp file in ``directory``: for a caller that holds the run's lock, since no
    other process can be writing there. Returns the removed names."""
    removed = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    for entry in entries:
        if _TEMP_RE.fullmatch(entry.name) and entry.path not in _in_progress:
            try:
                os.remove(entry.path)
            except FileNotFoundError:
                continue
            removed.append(entry.name)
    return removed


def save_checkpoint(obj: dict, path: str) -> None:
    """Atomically write ``obj`` (plus ``format_version``) to ``path``; the caller's dict is untouched.

    Raises ``TypeError`` naming the offending entry when ``obj`` holds something a
    ``weights_only`` load could not read back, before anything is written.
    """
    if not isinstance(obj, dict):
        raise TypeError(f"save_checkpoint expects a dict, got {type(obj).__qualname__}")
    payload = encode_value(obj, "obj")
    payload["format_version"] = FORMAT_VERSION
    atomic_write(path, lambda f: torch.save(payload, f))


def atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """``write(f)`` into a temp file beside ``path``, fsync, ``os.replace``, fsync the dir: all or nothing.

    A kill -9 at any instant leaves either the previous file or the new one under ``path``, plus at most a
    temp file that the next write into the same directory removes.
    """
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    _remove_stale_temps(directory)
    tmp = os.path.join(directory, f".{name}.tmp.{os.getpid()}.{secrets.token_hex(4)}")
    _in_progress.add(tmp)
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        full = disk_full(exc, path)  # torch reports it as an 'enforce fail' RuntimeError
        if full is not None:
            raise full from None
        raise
    finally:
        _in_progress.discard(tmp)
    # Make the rename itself durable, not only the file contents.
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _has_complete_zip(f: Any) -> bool:
    """True when the zip central directory (written last by torch.save) is present and sane."""
    try:
        with zipfile.ZipFile(f) as archive:
            return any(
                name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist()
            )
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def _read_torch_file(f: Any, path: str) -> Any:
    """Classify a damaged or unsafe file from cheap header/tail checks before torch sees it."""
    head = f.read(4)
    if not head:
        raise CheckpointError(
            f"Checkpoint {path} is empty (0 bytes), probably from an interrupted copy or write."
        )
    if head != _ZIP_MAGIC:
        raise CheckpointError(
            f"Checkpoint {path} is not a PyTorch checkpoint file (it is not a torch zip archive)."
        )
    if not _has_complete_zip(f):
        raise CheckpointError(
            f"Checkpoint {path} is truncated or corrupted (it is not a complete torch zip archive)."
        )
    f.seek(0)
    try:
        return torch.load(f, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"GLOBAL (\S+)", str(e))
        if found:
            reason = (
                f"it references {found.group(1)!r}, which a weights-only load refuses "
                "since it could run code"
            )
        else:
            reason = (
                "its pickled data is not allowed under a weights-only load "
                "(corrupted or not from ding_lite)"
            )
        raise CheckpointError(f"Checkpoint {path} was refused because {reason}.") from e
    except Exception as e:  # torch raises RuntimeError/ValueError/EOFError/... on damaged data
        raise CheckpointError(
            f"Checkpoint {path} is corrupted and could not be read ({type(e).__name__})."
        ) from e


def load_checkpoint(path: str, expect_algo: str | None = None) -> dict:
    """Load a checkpoint written by :func:`save_checkpoint` without ever running pickled code.

    ``expect_algo`` (e.g. ``'ppo'``) refuses a checkpoint whose ``'algo'`` entry differs.
    Every failure is a one-sentence :class:`CheckpointError` naming ``path``.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            obj = _read_torch_file(f, path)
    except FileNotFoundError as e:
        raise CheckpointError(f"Checkpoint {path} does not exist.") from e
    except OSError as e:
        raise CheckpointError(
            f"Checkpoint {path} cannot be read ({type(e).__name__}: {e.strerror})."
        ) from e
    if not isinstance(obj, dict) or "format_version" not in obj:
        raise CheckpointError(
            f"Checkpoint {path} is a torch file but not a ding_lite checkpoint "
            "(it has no 'format_version' entry; a bare state_dict?)."
        )
    version = obj["format_version"]
    if type(version) is not int or version < 1:
        raise CheckpointError(f"Checkpoint {path} has an invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"Checkpoint {path} uses checkpoint format version {version}, but this ding_lite "
            f"reads only up to version {FORMAT_VERSION}; upgrade ding_lite to load it."
        )
    if expect_algo is not None and obj.get("algo") != expect_algo:
        algo = obj.get("algo")
        written_by = f"a {algo!r} policy" if algo is not None else "no recorded policy ('algo')"
        raise CheckpointError(
            f"Checkpoint {path} was written by {written_by}, this run is {expect_algo!r}."
        )
    return decode_value(obj)


def iteration_of(path: str) -> int | None:
    """``'.../iteration_120.pth.tar'`` -> 120; anything else (best, temp, other files) -> None."""
    match = _ITERATION_RE.fullmatch(os.path.basename(os.fspath(path)))
    return int(match.group(1)) if match else None


def list_iteration_checkpoints(ckpt_dir: str) -> list[str]:
    """Iteration checkpoints in ``ckpt_dir`` ordered by their number (mtimes can lie after copies)."""
    try:
        with os.scandir(ckpt_dir) as entries:
            found = [
                (number, entry.name, entry.path)
                for entry in entries
                if (number := iteration_of(entry.name)) is not None and entry.is_file()
            ]
    except FileNotFoundError:
        return []
    return [p for _, _, p in sorted(found)]


def is_complete(path: str) -> bool:
    """Whether ``path`` looks like a complete checkpoint (a cheap zip check, not a load)."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == _ZIP_MAGIC and _has_complete_zip(f)
    except OSError:  # vanished (pruned) or unreadable
        return False


def newest_checkpoint(ckpt_dir: str, skipped: list[str] | None = None) -> str | None:
    """Highest-numbered iteration checkpoint that looks complete; the incomplete ones passed over on the way
    are appended to ``skipped``."""
    for path in reversed(list_iteration_checkpoints(ckpt_dir)):
        if is_complete(path):
            return path
        if skipped is not None:
            skipped.append(path)
    return None


def prune_checkpoints(ckpt_dir: str, keep: int) -> list[str]:
    """Delete all but the ``keep`` highest-numbered iteration checkpoints; ``keep <= 0`` keeps all.

    Only ``iteration_*.pth.tar`` files are candidates, so ``ckpt_best.pth.tar`` always survives.
    Returns the removed paths.
    """
    if keep <= 0:
        return []
    removed = []
    for path in list_iteration_checkpoints(ckpt_dir)[:-keep]:
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed
