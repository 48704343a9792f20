"""Stop signals in the main process: the first one ends the run at the end of its step; a second Ctrl-C aborts.

SIGINT, SIGTERM and SIGUSR1 (``utils.stop_signals``) all mean "stop, I will resume you": the run finishes the
step it is in (a collect and its updates, or an evaluation), writes a checkpoint, and the CLI exits with
``EXIT_INTERRUPTED``. After the first, another SIGINT (Ctrl-C pressed again) raises ``RunAborted`` at once;
another SIGTERM or SIGUSR1 changes nothing (SLURM sends SIGUSR1 as a warning and SIGTERM at the end: the run
is already stopping).

What was received is one record for the whole process, so a signal that comes while the CLI is still loading
(before the run installs its handlers) stops the run at its first step, and one that comes while the summary
prints is a second signal. Python lets only the main thread install handlers: elsewhere (a Ray Tune trial
thread) nothing is installed and the run stops only on its horizons.
"""
from __future__ import annotations

import os
import signal
import threading
from typing import Any

from ding_lite.utils.stop_signals import STOP_SIGNALS

EXIT_INTERRUPTED = 75
"""Exit code of a run stopped by a stop signal after saving: interrupted, resumable (sysexits' EX_TEMPFAIL,
"temporary failure, try again"). 0 is a run that finished; 2 bad input; 1 a failure; 130 an abort."""
EXIT_ABORTED = 130
"""Exit code after a second Ctrl-C (128 + SIGINT, as shells report it): nothing was saved for the current step."""

_received: list[str] = []
_announce: list[bool] = [False]


class RunAborted(KeyboardInterrupt):
    """A second Ctrl-C: stop at once, without saving the step in progress (the newest checkpoint stays)."""


def received() -> str:
    """The name of the first stop signal received ('SIGTERM'), or '' when none came."""
    return _received[0] if _received else ""


def clear() -> None:
    """Forget a signal the caller has acted on (a run that stopped on it), so that the next run starts afresh."""
    _received.clear()


def _say(text: str) -> None:
    """Straight to the stderr descriptor: a handler may run in the middle of a ``print`` to a buffered stream."""
    try:
        os.write(2, text.encode())
    except OSError:
        pass


def _on_signal(signum: int, frame: Any) -> None:
    name = signal.Signals(signum).name
    if not _received:
        _received.append(name)
        if _announce[0]:
            again = "press Ctrl-C again to abort at once" if signum == signal.SIGINT else "Ctrl-C aborts at once"
            _say(f"received {name}: finishing this step, then saving a checkpoint ({again})\n")
        return
    if signum == signal.SIGINT:
        if _announce[0]:
            _say(f"received SIGINT again after {_received[0]}: aborting without saving this step\n")
        raise RunAborted(name)


def install(announce: bool = False) -> dict:
    """Handle the stop signals (main thread only); returns what ``restore`` puts back. ``announce`` writes one
    line to stderr when a signal arrives (the CLI's console)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {"announce": _announce[0], "handlers": {sig: signal.signal(sig, _on_signal) for sig in STOP_SIGNALS}}
    _announce[0] = announce or _announce[0]
    return previous


def restore(previous: dict) -> None:
    """Put back the handlers (and the announcing) that ``install`` replaced."""
    for sig, handler in previous.get("handlers", {}).items():
        signal.signal(sig, handler)
    _announce[0] = previous.get("announce", _announce[0])
