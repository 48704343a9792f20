"""Weights & Biases beside TensorBoard: the same scalars on the same two axes, the compiled config, the videos.

A run is one W&B run across its resumes, as it is one TensorBoard curve: the W&B run id is part of the run's
state (saved in every checkpoint). W&B cannot cut a run back as ``truncate_events`` cuts TensorBoard's files,
so a resumed session first reads what W&B really holds from its own run files (``log/wandb/``: its service
writes them in blocks, and a kill -9 loses the tail it had not written), then hands W&B only what it lacks:
TensorBoard's points up to the checkpoint (exact, fsynced with it), then the live points past what W&B holds.
Rows carry an explicit ``step`` that continues after the last one W&B holds, so no step repeats or goes back.
Rows go to W&B when TensorBoard's file is flushed: at every evaluation and every checkpoint.

W&B never stops training: a missing package, a refused login or a service that fails mid-run is one sentence
(``say``) and the run goes on logging to TensorBoard alone.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ding_lite.utils.rng import get_rng_state, set_rng_state
from ding_lite.utils.wandb_files import held

AXES = {"_iter/": "train_iter", "_step/": "envstep"}
"""A key's axis, by the part of its name that TensorBoard's tags have: ``collector_iter/x`` is on train_iter."""
VIDEO_KEY = "evaluator_iter/video"
FILE_FLUSH_SECONDS = 1.0
INSTALL = "pip install -e \".[wandb]\""


def new_run_id() -> str:
    """From the OS's entropy: drawing it changes no generator that training uses."""
    return secrets.token_hex(4)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _axis(key: str) -> str | None:
    return next((name for part, name in AXES.items() if part in key), None)


class WandbRun:
    """One session of a W&B run; build with :func:`open_wandb`."""

    def __init__(self, wandb: Any, run: Any, held_steps: dict[str, int], step: int,
                 say: Callable[[str], None]) -> None:
        self._wandb, self._run = wandb, run
        self._held = dict(held_steps)  # key -> last step W&B holds: never sent again
        self._step = step
        self._rows: list[dict[str, Any]] = []
        self._defined: set[str] = set()
        self._say = say
        self.failed = False

    def add(self, prefix: str, values: dict[str, float], train_iter: int, envstep: int) -> None:
        row = {}
        for key, value in values.items():
            row[f"{prefix}_iter/{key}"] = row[f"{prefix}_step/{key}"] = value
        self._queue(row, train_iter, envstep)

    def add_video(self, path: Path, train_iter: int, envstep: int) -> None:
        self._queue({VIDEO_KEY: path}, train_iter, envstep)

    def backfill(self, scalars: dict[str, list[tuple[int, float]]]) -> None:
        """TensorBoard's points (tag -> [(step, value)]) that W&B lacks, as rows: a ``P_iter/K`` tag and its
        ``P_step/K`` twin were written together, so their i-th points are one moment on both axes."""
        moments: dict[tuple[int, int], dict[str, float]] = {}
        for tag, points in scalars.items():
            twin = tag.replace("_iter/", "_step/", 1)
            if "_iter/" not in tag or twin not in scalars:
                continue
            for (train_iter, value), (envstep, _) in zip(points, scalars[twin], strict=False):
                moments.setdefault((train_iter, envstep), {}).update({tag: value, twin: value})
        for (train_iter, envstep), row in sorted(moments.items()):
            self._queue(row, train_iter, envstep)

    def _queue(self, row: dict[str, Any], train_iter: int, envstep: int) -> None:
        at = {"train_iter": train_iter, "envstep": envstep}
        row = {k: v for k, v in row.items() if at[_axis(k) or "train_iter"] > self._held.get(k, -1)}
        if not row or self.failed:
            return
        last = self._rows[-1] if self._rows else None
        if last is not None and (last["train_iter"], last["envstep"]) == (train_iter, envstep) and not (
                row.keys() & last.keys()):
            last.update(row)  # reports of the same moment share one W&B row
        else:
            self._rows.append({**row, **at})

    def flush(self) -> None:
        if self.failed or not self._rows:
            return
        rows, self._rows = self._rows, []
        try:
            for row in rows:
                self._define(row)
                self._wandb.log({k: self._media(v) for k, v in row.items()}, step=self._step)
                self._step += 1
        except Exception as exc:  # noqa: BLE001 - W&B's failure is said once and never stops training
            self._fail(exc)

    def _define(self, row: dict[str, Any]) -> None:
        for key in row.keys() - self._defined:
            if key not in AXES.values():
                self._wandb.define_metric(key, step_metric=_axis(key) or "train_iter")
            self._defined.add(key)

    def _media(self, value: Any) -> Any:
        return self._wandb.Video(str(value), format="mp4") if isinstance(value, Path) else value

    def _fail(self, exc: Exception) -> None:
        self.failed = True
        self._say(f"Weights & Biases failed ({_first_line(exc)}); the run goes on, logging to TensorBoard only.")

    def close(self) -> None:
        self.flush()
        if not self.failed:
            try:
                self._run.finish()
            except Exception as exc:  # noqa: BLE001
                self._fail(exc)


def _settings(wandb: Any) -> dict[str, Any]:
    """No console capture (the progress lines stay ours), no system-metrics sampler, and the run file written
    every second (W&B's default is 15 s): what a kill -9 takes from W&B's own record is re-sent on resume."""
    settings: dict[str, Any] = {"console": "off", "silent": True, "x_disable_stats": True}
    if "x_transaction_log_flush_interval" in getattr(wandb.Settings, "model_fields", {}):
        settings["x_transaction_log_flush_interval"] = FILE_FLUSH_SECONDS
    return settings


def open_wandb(project: str, entity: str | None, run_dir: Path, run_id: str, config: dict,
               resumed_scalars: dict[str, list[tuple[int, float]]] | None,
               say: Callable[[str], None]) -> WandbRun | None:
    """This session of the run's W&B run, or None after one sentence.

    ``resumed_scalars``: on a resume, TensorBoard's points up to the checkpoint (what W&B must hold).
    """
    try:
        import wandb
    except ImportError:
        say(f"Weights & Biases is not installed, so this run logs to TensorBoard only: {INSTALL}")
        return None
    wandb_dir = run_dir / "log"
    held_steps, last_step = held(wandb_dir / "wandb", run_id, AXES) if resumed_scalars is not None else ({}, -1)
    os.environ.setdefault("WANDB_SILENT", "true")  # W&B's banners would interleave with the progress lines
    rng = get_rng_state()  # whatever W&B draws at start-up, training's generators stay where they were
    try:
        run = wandb.init(project=project, entity=entity, id=run_id, resume="allow", dir=str(wandb_dir),
                         name=run_dir.name, config=config, settings=wandb.Settings(**_settings(wandb)))
        for axis in AXES.values():
            wandb.define_metric(axis)
    except Exception as exc:  # noqa: BLE001 - no W&B session, never a stopped run
        say(f"Weights & Biases could not start ({_first_line(exc)}); the run goes on, logging to TensorBoard only.")
        return None
    finally:
        set_rng_state(rng)
    step = max(last_step + 1, int(getattr(run, "starting_step", 0) or 0))  # online: the server's next step
    session = WandbRun(wandb, run, held_steps, step, say)
    session.backfill(resumed_scalars or {})
    session.flush()
    return session
