"""The stop signals, and how a child process is kept from acting on them.

SIGINT (a terminal's Ctrl-C), SIGTERM (``timeout``, ``kill``, SLURM's ``scancel``, Kubernetes) and SIGUSR1
(SLURM's ``--signal`` warning) ask a run to stop. They usually reach the whole process group, so every helper
process of a run gets them too. Only the main process acts on them (``ding_lite.pipeline.interrupts``);
helpers are started with them blocked (``blocked_stop_signals``) and, as their first instruction, ignore them
(``ignore_stop_signals``): no signal can reach a helper before that, not even during the imports of a 'spawn'
start. Light on purpose (no numpy, no torch): the CLI installs its handlers before importing anything heavy.
"""
from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGUSR1") if hasattr(signal, name))
"""The signals that ask a run to stop: the main process acts on them, its helper processes ignore them."""


@contextlib.contextmanager
def blocked_stop_signals() -> Iterator[None]:
    """Block the stop signals in this thread while child processes start (they inherit the mask); a signal that
    comes meanwhile waits and reaches this process when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def ignore_stop_signals() -> None:
    """Ignore the stop signals (a pending one is discarded), then let them through."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
