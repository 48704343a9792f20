"""What one run does inside its Ray task (or a Tune trial): continue its own run dir, or start it.

A task that Ray runs again after its worker died finds the newest complete checkpoint in the run's
dir and resumes from it under the very config of its first attempt, so the run ends with the
weights of one that was never interrupted. This module does not import Ray: a run is a function of
its ``RunSpec``.
"""
from __future__ import annotations

import copy
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ding_lite.config.errors import ConfigError
from ding_lite.pipeline.layout import BEST_CKPT, CKPT_DIR, check_writable, newest_in_run


class RunInterrupted(RuntimeError):
    """The run's worker got SIGINT/SIGTERM (a node drained, a job stopped): it saved, and Ray runs it again."""


@dataclass
class RunSpec:
    """One run of a batch: its experiment dir name, seed, grid point and the config it is built from."""

    name: str
    seed: int
    point: dict[str, Any]
    main: dict
    create: dict
    base_dir: str
    config_path: str
    default_policy: str = "ppo"
    horizons: dict[str, int | None] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return Path(self.base_dir) / self.name

    def main_config(self) -> dict:
        """The file's main_config with the grid point set and ``exp_name`` naming this run's dir."""
        main = copy.deepcopy(self.main)
        for dotted, value in self.point.items():
            *parents, last = dotted.split(".")
            node = main
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        main["exp_name"] = self.name
        return main


def build(spec: RunSpec, resume: str | None = None) -> Any:
    """The run's pipeline (everything checked, nothing written), resuming from ``resume`` when given."""
    from ding_lite.pipeline import SerialPipeline

    return SerialPipeline(spec.main_config(), spec.create, seed=spec.seed, resume=resume,
                          default_policy=spec.default_policy, config_path=spec.config_path,
                          base_dir=spec.base_dir, **spec.horizons)


def where() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


def prepare(spec: RunSpec) -> tuple[Any, str | None]:
    """(pipeline, checkpoint it resumes from or None), for this attempt of the run.

    The driver made sure the dir did not exist when it submitted the run (or, with ``resume``, chose the
    run's own newest dir), so a dir without a complete checkpoint is an earlier attempt of this same run
    that died before its first save: it is removed and the run starts over, exactly as that attempt did.
    """
    run_dir = spec.run_dir
    try:
        check_writable(run_dir)
    except ConfigError as exc:
        raise ConfigError(f"{socket.gethostname()} cannot write the run dir of '{spec.name}' ({exc}); run dirs "
                          "must be on storage every node sees and can write.") from None
    ckpt = newest_in_run(run_dir) if run_dir.is_dir() else None
    if ckpt is None and run_dir.exists():
        shutil.rmtree(run_dir)
    resume = None if ckpt is None else str(ckpt)
    return build(spec, resume), resume


def execute(spec: RunSpec) -> dict[str, Any]:
    """Run (or continue) the run to its end; returns what the driver prints about it."""
    from ding_lite.worker.hooks import Hook

    started = time.time()
    pipeline, resumed = prepare(spec)
    said = f"ray_runs: {'resumed' if resumed else 'started'} in {where()}"
    pipeline.register_hook("before_run", Hook("ray_runs_where", lambda ctx: pipeline.log.write(said), priority=10))
    pipeline.run()  # a lost env actor raises EnvActorDied through the hooks: Ray retries the task on it
    if pipeline.stop_reason.startswith("received"):
        raise RunInterrupted(f"run '{spec.name}' {pipeline.stop_reason} in {where()} and saved its state")
    return summary(spec, pipeline, resumed, started)


def summary(spec: RunSpec, pipeline: Any, resumed: str | None, started: float) -> dict[str, Any]:
    best_path = pipeline.run_dir / CKPT_DIR / BEST_CKPT
    return {
        "name": spec.name, "seed": spec.seed, "point": spec.point, "run_dir": str(pipeline.run_dir),
        "stop_reason": pipeline.stop_reason, "envstep": pipeline.collector.envstep,
        "train_iter": pipeline.learner.train_iter, "best_return": pipeline.evaluator.best_return,
        "best_ckpt": str(best_path) if best_path.exists() else None, "final_ckpt": str(newest_in_run(pipeline.run_dir)),
        "resumed_from": resumed, "started": started, "finished": time.time(), "where": where(),
    }
