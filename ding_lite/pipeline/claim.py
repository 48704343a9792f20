"""Taking a run dir for a session and ending a session that a fault stopped.

A session claims its run dir (the lock, see ``lock``) before it changes anything there; holding the
lock, it knows every checkpoint temp file in the dir was left by a killed writer and removes them. A
fault mid-run (a full disk, a non-finite value) ends as one sentence that names the newest complete
checkpoint, which is what a resume starts from.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ding_lite.pipeline.layout import CKPT_DIR, LOG_DIR, TB_SUBDIR, newest_in_run
from ding_lite.pipeline.lock import RunLock
from ding_lite.pipeline.writable import check_resumed_run
from ding_lite.utils.checkpoint_io import remove_temps
from ding_lite.utils.faults import DiskFull, RunFault, disk_full


def claim_for_resume(run_dir: Path) -> RunLock:
    """Before a resumed run changes anything: its dirs are writable and no live process holds it."""
    check_resumed_run(run_dir, CKPT_DIR, LOG_DIR, TB_SUBDIR)
    lock = RunLock(run_dir)
    lock.acquire()
    return lock


def clean_up(lock: RunLock, say: Callable[[str], None]) -> None:
    """Said once the run's log is open: a stale lock taken over, temp files of killed saves removed."""
    if lock.took_over:
        say(lock.took_over)
    removed = remove_temps(str(lock.path.parent / CKPT_DIR))
    if removed:
        say(f"removed {len(removed)} partial checkpoint file(s) left by an interrupted save: {', '.join(removed)}")


def as_fault(exc: BaseException, run_dir: Path) -> RunFault | None:
    """The one-sentence fault ``exc`` is (with the checkpoint to resume from), or None for any other error."""
    fault = exc if isinstance(exc, RunFault) else disk_full(exc, f"the files of {run_dir}")
    if fault is None:
        return None
    newest = newest_in_run(run_dir)
    good = "complete" if isinstance(fault, DiskFull) else "finite"
    where = f"the newest {good} checkpoint is {newest}" if newest else "no checkpoint was written yet"
    return type(fault)(f"{fault}; {where}")


@contextlib.contextmanager
def released_on_error(pipeline: Any) -> Iterator[None]:
    """Around opening a session's files: on any error the envs close and the run dir is released; a full disk
    is its one sentence."""
    try:
        yield
    except BaseException as exc:
        for env in (pipeline.collector_env, pipeline.evaluator_env):
            try:
                env.close()
            except Exception:  # noqa: BLE001, S110 - the error being raised is the one to report
                pass
        if pipeline.lock is not None:
            pipeline.lock.release()
        fault = as_fault(exc, pipeline.run_dir)
        if fault is None:
            raise
        raise fault from None


def end_session(pipeline: Any, failure: BaseException | None) -> BaseException | None:
    """Close the writers and envs, say why the session stopped, release the run dir; returns what to raise.

    A fault (or a full disk met while closing) becomes its one sentence, in train.log as well.
    """
    wandb_close = [pipeline.wandb.close] if pipeline.wandb is not None else []
    for close in (pipeline.writer.close, *wandb_close, pipeline.collector_env.close, pipeline.evaluator_env.close):
        try:
            close()
        except Exception as exc:  # noqa: BLE001 - the first failure wins, every close is still tried
            failure = failure or exc
    fault = as_fault(failure, pipeline.run_dir) if failure is not None else None
    if fault is not None:
        failure, pipeline.stop_reason = fault, str(fault)
        fault.__suppress_context__ = True
    try:
        pipeline.log.write(f"stopped: {pipeline.stop_reason or f'by an error: {type(failure).__name__}: {failure}'}")
        pipeline.log.close()
    except OSError:  # the disk is full: the sentence still reaches the console
        pass
    if pipeline.lock is not None:
        pipeline.lock.release()
    return failure
