"""Tune trials that are ding_lite runs: eval metrics reported, ding_lite's own checkpoints handed to Tune.

``Tuner(trainable("cartpole_ppo_config.py"), param_space={"policy.learn.learning_rate":
tune.grid_search([1e-3, 3e-4]), "seed": 0}, run_config=RunConfig(failure_config=FailureConfig(max_failures=2)))``

A trial is a normal run dir inside its trial dir. At every evaluation it reports the eval metrics
(``reward_mean`` ..., ``envstep``, ``train_iter``) and, when an iteration checkpoint was written since
the last report, hands Tune a copy of it (with its side files). A trial that Tune restarts after a
failure resumes from the checkpoint Tune gives back: the run dir's own file when it is still there
(logs and TensorBoard curves continue), else Tune's copy put back into the run's ckpt/ dir; either way
it ends as it would have uninterrupted. The run goes on in Tune's trainable thread, so it installs
no signal handlers.
"""
from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ding_lite.config import load_config_file
from ding_lite.distributed import require
from ding_lite.distributed.runs import check
from ding_lite.distributed.task import RunSpec, build, where
from ding_lite.pipeline.layout import CKPT_DIR, newest_in_run


def trainable(config: str, search_path: Sequence[str | Path] = (), default_policy: str = "ppo",
              max_env_step: int | None = None, max_train_iter: int | None = None) -> Any:
    """A function trainable for ``tune.Tuner``: its param_space keys are dotted config keys, and ``seed``."""
    tune = require("ray.tune", "ding_lite.distributed.tune")
    main, create, path = load_config_file(config, search_path)
    spec = RunSpec(main.get("exp_name", "default_experiment"), main.get("seed", 0), {}, main, create, ".", str(path),
                   default_policy, {"max_env_step": max_env_step, "max_train_iter": max_train_iter})
    check(spec)
    return tune.with_parameters(train_trial, spec=spec)


def _put_back(saved: Path, run_dir: Path) -> Path:
    """The run's own copy of Tune's checkpoint (restored from Tune's copy when the run dir lost it)."""
    files = sorted(saved.glob("*.pth.tar"), key=lambda p: len(p.name))  # iteration_N.pth.tar before its side files
    target = run_dir / CKPT_DIR / files[0].name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy2(file, target.parent / file.name)
    return target


def train_trial(params: dict, spec: RunSpec) -> None:
    """One trial: a run under ``spec`` with ``params`` set, resumed from Tune's checkpoint when it has one."""
    from ray import tune

    from ding_lite.worker.hooks import Hook

    point = {key: value for key, value in params.items() if key != "seed"}
    spec = dataclasses.replace(spec, seed=params.get("seed", spec.seed), point=point,
                               base_dir=tune.get_context().get_trial_dir())
    resume = None
    if (saved := tune.get_checkpoint()) is not None:
        with saved.as_directory() as folder:
            resume = str(_put_back(Path(folder), spec.run_dir))
    elif spec.run_dir.exists():  # an attempt that died before handing Tune a checkpoint: start over as it did
        shutil.rmtree(spec.run_dir)
    pipeline = build(spec, resume)
    reported = [None if resume is None else Path(resume)]
    metrics: dict[str, float] = {}

    def send(envstep: int, train_iter: int) -> None:
        metrics.update(envstep=envstep, train_iter=train_iter)
        newest = newest_in_run(pipeline.run_dir)
        if newest == reported[0]:
            tune.report(dict(metrics))
            return
        with tempfile.TemporaryDirectory() as folder:
            for file in newest.parent.glob(newest.name.replace(".pth.tar", ".*pth.tar")):
                shutil.copy2(file, folder)
            tune.report(dict(metrics), checkpoint=tune.Checkpoint.from_directory(folder))
        reported[0] = newest

    def report(ctx: Any) -> None:
        metrics.update({k: float(v) for k, v in ctx.eval_result.items() if isinstance(v, (int, float))})
        send(ctx.envstep, ctx.train_iter)

    said = f"tune: {'resumed' if resume else 'started'} trial {tune.get_context().get_trial_name()} in {where()}"
    pipeline.register_hook("before_run", Hook("tune_where", lambda ctx: pipeline.log.write(said), priority=10))
    pipeline.register_hook("after_eval", Hook("tune_report", report))
    pipeline.run()
    if newest_in_run(pipeline.run_dir) != reported[0]:  # the final checkpoint, written after the last eval
        send(pipeline.collector.envstep, pipeline.learner.train_iter)
