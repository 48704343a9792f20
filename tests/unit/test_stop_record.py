"""The main process's stop-signal record: the first signal is kept, a second Ctrl-C aborts, others change nothing."""
from __future__ import annotations

import os
import signal

import pytest

from ding_lite.pipeline import interrupts


@pytest.fixture
def handlers():
    previous = interrupts.install()
    yield
    interrupts.restore(previous)
    interrupts.clear()


def test_the_first_signal_is_kept_and_later_sigterm_or_sigusr1_change_nothing(handlers):
    assert interrupts.received() == ""
    os.kill(os.getpid(), signal.SIGUSR1)  # SLURM's warning
    assert interrupts.received() == "SIGUSR1"
    os.kill(os.getpid(), signal.SIGTERM)  # the time limit: already stopping
    assert interrupts.received() == "SIGUSR1"


def test_a_second_sigint_aborts(handlers):
    os.kill(os.getpid(), signal.SIGTERM)
    with pytest.raises(interrupts.RunAborted):
        os.kill(os.getpid(), signal.SIGINT)
    assert isinstance(interrupts.RunAborted(), KeyboardInterrupt)  # Python code that expects Ctrl-C sees one


def test_restore_puts_back_the_previous_handlers():
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)}
    interrupts.restore(interrupts.install())
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_the_documented_exit_codes():
    assert (interrupts.EXIT_INTERRUPTED, interrupts.EXIT_ABORTED) == (75, 130)
