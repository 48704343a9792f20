"""The non-finite guard's cost per iteration on the shipped CartPole PPO and Pong DQN configs.

Two figures per config, from the same process:

- measured: the seconds spent inside the guard (its four checks wrapped in a clock) over the run's own
  seconds without its evaluations, i.e. the guard's share of an iteration; both clocks see the same load.
- A/B: median seconds per train iteration of runs with the guard and runs with its checks replaced by
  no-ops, alternating; the difference is the guard's cost plus the machine's noise.

Measured (2 cores, load average 31-40 from other work; ``--ppo-iters 1000 --repeats 2``, ``--only dqn --dqn-iters
300 --repeats 2``): CartPole PPO guard 71.6 us of 13.1 ms per iteration = 0.55% (0.45%, 0.65%), A/B +0.79%;
Pong DQN 5.4 ms of 1531 ms = 0.36% (0.34%, 0.38%), A/B +20% (noise: the load moved more than the guard costs).

Run: ``python bench/bench_finite_guard.py [--ppo-iters 2000] [--dqn-iters 300] [--repeats 3]``
(the shipped configs with stop_value disabled, so each run lasts its horizon; Pong needs ale-py).
"""
from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from configs import SEARCH_PATH
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.finite import FiniteGuard
from ding_lite.worker.evaluator import InteractionSerialEvaluator

CHECKS = ("rollout", "learner_values", "weights", "eval_values")
ORIGINAL = {name: getattr(FiniteGuard, name) for name in CHECKS}


def guard_mode(mode: str, spent: list[float]) -> None:
    """'timed': the real checks inside a clock; 'off': no-ops."""
    for name, check in ORIGINAL.items():
        if mode == "off":
            setattr(FiniteGuard, name, lambda self, *a, **k: None)
            continue

        def timed(self, *args, _check=check, **kwargs):
            start = time.perf_counter()
            try:
                return _check(self, *args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        setattr(FiniteGuard, name, timed)


def one_run(config: str, iters: int, mode: str, evaluations: bool) -> tuple[float, float, int]:
    """(run seconds without the evaluations, guard seconds, train iterations) of one run of ``iters`` updates.

    Evaluations are left out of an iteration's time (cut to one episode, and for Pong not run at all: its first
    one plays a whole game): the share is of collecting and training, the part of an iteration the guard runs in.
    """
    main, create, _ = load_config_file(config, SEARCH_PATH)
    main = copy.deepcopy(main)
    main["env"]["stop_value"] = None
    main["env"]["evaluator_env_num"] = main["env"]["n_evaluator_episode"] = 1
    main["policy"]["learn"].setdefault("learner", {}).setdefault("hook", {})["save_ckpt_after_iter"] = 0
    spent, evaluating = [0.0], [0.0]
    guard_mode(mode, spent)
    evaluate = InteractionSerialEvaluator.eval

    def timed_eval(self):
        start = time.perf_counter()
        try:
            return evaluate(self)
        finally:
            evaluating[0] += time.perf_counter() - start
    InteractionSerialEvaluator.eval = timed_eval
    should_eval = InteractionSerialEvaluator.should_eval
    if not evaluations:  # Pong's first evaluation (a whole game) would take longer than the iterations timed
        InteractionSerialEvaluator.should_eval = lambda self, train_iter: False
    try:
        with tempfile.TemporaryDirectory(prefix="bench_guard_") as tmp:
            pipeline = SerialPipeline(main, create, max_train_iter=iters, base_dir=tmp)
            start = time.perf_counter()
            pipeline.run()
            seconds = time.perf_counter() - start
    finally:
        InteractionSerialEvaluator.eval, InteractionSerialEvaluator.should_eval = evaluate, should_eval
    return seconds - evaluating[0], spent[0], pipeline.learner.train_iter


def bench(config: str, iters: int, repeats: int, evaluations: bool = True) -> None:
    one_run(config, max(iters // 10, 1), "timed", evaluations)  # warm-up: imports, env registration, allocator
    with_guard, without, shares = [], [], []
    for _ in range(repeats):
        seconds, guard, done = one_run(config, iters, "timed", evaluations)
        with_guard.append(seconds / done)
        shares.append(guard / seconds)
        seconds, _, done = one_run(config, iters, "off", evaluations)
        without.append(seconds / done)
    on, off = statistics.median(with_guard), statistics.median(without)
    print(f"{config}: {done} train iterations x {repeats} repeats")
    print(f"  measured  guard {1e6 * statistics.median(shares) * on:8.1f} us of {1e3 * on:7.3f} ms per iteration "
          f"= {100 * statistics.median(shares):.3f}% (repeats: {', '.join(f'{100 * s:.3f}%' for s in shares)})")
    print(f"  A/B       with {1e3 * on:7.3f} ms, without {1e3 * off:7.3f} ms per iteration: "
          f"{100 * (on / off - 1):+.2f}% (noise included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ppo-iters", type=int, default=2000)
    parser.add_argument("--dqn-iters", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("ppo", "dqn"), default=None)
    args = parser.parse_args()
    print(f"target: under 2% of an iteration; load average before: {os.getloadavg()}")
    if args.only in (None, "ppo"):
        bench("cartpole_ppo_config.py", args.ppo_iters, args.repeats)
    if args.only in (None, "dqn"):
        bench("pong_dqn_config.py", args.dqn_iters, args.repeats, evaluations=False)


if __name__ == "__main__":
    main()
