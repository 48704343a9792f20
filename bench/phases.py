"""Run a real entry CLI with timers around its phases: where the launch->exit seconds go.

``python bench/phases.py OUT.json entry.serial_onpolicy -c CONFIG -s SEED ...`` runs the module exactly as
``python -m entry.serial_onpolicy ...`` would (``runpy`` as ``__main__``), after wrapping a few methods
with timers. Times are exclusive (a checkpoint save made inside a learner hook counts as 'checkpoint',
not 'learn'). The parent passes its launch instant in $BENCH_LAUNCH (time.time()) so that interpreter
start-up is counted too; OUT.json gets the phases, the counters and the seconds until main returned.

Phases: startup (interpreter until this file runs), import (the pipeline module and everything it pulls in:
torch, gymnasium), config (load + compile + checks), build (envs, policy), setup (run dir, writers, hooks,
checkpoint restore), collect, gae (process_rollout), learn, eval, checkpoint (every save), teardown
(closing writers and envs, final prints), and exit (after main returned: interpreter shutdown; the parent
adds it from its own wall clock).
"""
from __future__ import annotations

import json
import os
import runpy
import sys
import time
from collections import defaultdict

LAUNCH = float(os.environ.get("BENCH_LAUNCH", time.time()))
T_SCRIPT = time.time()

exclusive: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)
_stack: list[list] = []  # [key, start, child_seconds]


def _wrap(owner: type, name: str, key: str) -> None:
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        _stack.append([key, time.perf_counter(), 0.0])
        try:
            return original(*args, **kwargs)
        finally:
            k, start, child = _stack.pop()
            total = time.perf_counter() - start
            exclusive[k] += total - child
            calls[k] += 1
            if _stack:
                _stack[-1][2] += total

    setattr(owner, name, timed)


class _FastExit(BaseException):
    def __init__(self, code: int) -> None:
        self.code = code


def _raise_exit(code: int) -> None:
    raise _FastExit(code)


def main() -> int:
    out_path, module, *argv = sys.argv[1:]
    t0 = time.perf_counter()
    from ding_lite.worker import collector, evaluator, learner
    try:
        from ding_lite.pipeline import serial as pipeline
    except ImportError:  # a tree from before the pipeline moved into the library (for --compare)
        from entry import pipeline

    import_seconds = time.perf_counter() - t0
    _wrap(pipeline.SerialPipeline, "__init__", "config")
    _wrap(pipeline.SerialPipeline, "_build", "build")
    _wrap(pipeline.SerialPipeline, "run", "teardown")  # what run does outside the phases below
    _wrap(pipeline.SerialPipeline, "_open_run_dir", "setup")
    _wrap(pipeline.SerialPipeline, "_wire", "setup")
    _wrap(pipeline.SerialPipeline, "_restore", "setup")
    _wrap(pipeline.SerialPipeline, "_save", "checkpoint")
    for cls in vars(collector).values():
        if isinstance(cls, type) and hasattr(cls, "collect") and cls.__module__ == collector.__name__:
            _wrap(cls, "collect", "collect")
    _wrap(learner.Learner, "train", "learn")
    _wrap(evaluator.InteractionSerialEvaluator, "eval", "eval")
    for name in ("PPOPolicy", "PGPolicy", "DQNPolicy"):
        policy_module = {"PPOPolicy": "ppo", "PGPolicy": "pg", "DQNPolicy": "dqn"}[name]
        try:
            cls = getattr(__import__(f"ding_lite.policy.{policy_module}", fromlist=[name]), name)
        except (ImportError, AttributeError):
            continue
        if "process_rollout" in vars(cls):
            _wrap(cls, "process_rollout", "gae")

    counters: dict[str, object] = {}
    original_run = pipeline.SerialPipeline.run

    def run_and_count(self):
        result = original_run(self)
        counters.update(envstep=self.collector.envstep, train_iter=self.learner.train_iter,
                        stop_reason=self.stop_reason, run_seconds=self.wall_seconds,
                        env_manager=getattr(self.collector_env, "choice", "sync (before the choice was logged)"))
        return result

    pipeline.SerialPipeline.run = run_and_count
    sys.argv = [module, *argv]
    code = 0
    real_exit = os._exit
    os._exit = _raise_exit  # the entries leave through os._exit (entry/fast_exit.py): write the figures first
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except (SystemExit, _FastExit) as exc:
        code = exc.code if isinstance(exc.code, int) else 0
        fast = isinstance(exc, _FastExit)
    else:
        fast = False
    main_returned = time.time() - LAUNCH
    phases = {"startup": T_SCRIPT - LAUNCH, "import": import_seconds, **exclusive}
    with open(out_path, "w") as f:
        json.dump({"phases": phases, "calls": calls, "counters": counters, "main_returned": main_returned,
                   "exit_code": code}, f)
    if fast:
        real_exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
