"""One run, one writer: a lock file in the run dir that a second trainer or resumer is refused by.

The lock is ``flock`` on ``RUN_DIR/run.lock`` (the kernel, or the NFS lock manager, drops it when the
holder dies, even by kill -9), and the file's text names the holder's PID and host for the refusal
sentence. A clean release deletes the file; a file still naming a holder when the lock is free was
left by a killed process, and the next run takes it over saying so once.
"""
from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path

from ding_lite.config.errors import ConfigError

LOCK_FILE = "run.lock"


class RunLockedError(ConfigError):
    """Another live process trains or resumes this run (exit 2, nothing changed)."""


def _fields(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split() if "=" in part)


def _holder(text: str) -> str:
    fields = _fields(text)
    if "pid" not in fields:
        return "an unknown process"
    return f"PID {fields['pid']} on host {fields.get('host', '?')}"


def _orphaned(text: str) -> bool:
    """The lock is held, but the process it names is gone from this host: a child it forked holds it."""
    fields = _fields(text)
    if fields.get("host") != socket.gethostname() or not fields.get("pid", "").isdigit():
        return False
    try:
        os.kill(int(fields["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class RunLock:
    """Held from the moment a run may change its dir until the run ends (``release``)."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK_FILE
        self._fd: int | None = None
        self.took_over = ""  # the line to say when a stale lock was taken over

    def acquire(self) -> None:
        """RunLockedError naming the holder when a live process holds the lock."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.pread(fd, 4096, 0).decode(errors="replace")
                os.close(fd)
                if _orphaned(text):
                    raise RunLockedError(
                        f"run dir '{self.path.parent}' is still locked by a process that {_holder(text)} started "
                        f"and left behind when it ended (an env worker?): find it with `fuser -v {self.path}` and "
                        "stop it, then try again.") from None
                raise RunLockedError(
                    f"run dir '{self.path.parent}' is in use by {_holder(text)} (lock {self.path}): "
                    "wait for it to end or stop it before training or resuming this run again.") from None
            except BaseException:
                os.close(fd)
                raise
            try:  # the file we locked may have been deleted by a holder releasing it meanwhile
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        stale = os.pread(fd, 4096, 0).decode(errors="replace").strip()
        if stale:
            self.took_over = (f"took over the lock {self.path} left by {_holder(stale)}, which is no longer "
                              "running (killed?)")
        record = f"pid={os.getpid()} host={socket.gethostname()} since={time.strftime('%Y-%m-%dT%H:%M:%S')}\n"
        self._fd = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, record.encode(), 0)
        except OSError as exc:  # a full device: the dir's write probe came first, so this is a race with it
            self.release()
            raise RunLockedError(f"run dir '{self.path.parent}' cannot take its lock {self.path}: "
                                 f"{exc.strerror}.") from None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Delete the file while still holding it, then unlock: a later run sees no stale holder."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:  # a read-only or vanished dir: the kernel lock still ends with the fd
            pass
        os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:
        """A pipeline built and dropped without running (a library user) leaves no lock behind."""
        if getattr(self, "_fd", None) is not None:
            self.release()
