"""Collector throughput against the raw limit: the same env manager stepped in a bare loop.

For each env manager (sync, vector) and env count (8, 64) three loops step CartPole-v0 for the same
number of vector steps:

- env only:   ``env.step(fixed actions)`` - the env's own limit, no policy;
- bare loop:  ``out = policy.collect_forward(obs); obs = env.step(out['env_action']).obs`` - the same
  batched policy forward and env manager, nothing else (the raw limit the issue compares against);
- collector:  the pipeline's real SampleSerialCollector (wired with its TensorBoard report and hooks),
  ``collect()`` repeated, n_sample = 32 vector steps per collect as in the shipped config.

Each figure is the median of --repeats interleaved measurements (the machine has 2 cores and may be
shared; the load average is printed). Target: collector >= 0.8 x bare loop.

Run: ``python bench/bench_collector.py [--steps 2048] [--repeats 7]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from configs import SEARCH_PATH
from ding_lite.config import load_config_file

STEPS_PER_COLLECT = 32


def build(tmp: Path, manager: str, num_envs: int):
    from ding_lite.pipeline import SerialPipeline

    main, create, _ = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    main["env"]["collector_env_num"] = num_envs
    main["env"]["manager"] = dict(type=manager)
    create["env_manager"] = dict(type=manager)
    main["policy"]["collect"]["n_sample"] = num_envs * STEPS_PER_COLLECT
    main["exp_name"] = f"bench_{manager}_{num_envs}"
    pipeline = SerialPipeline(main, create, base_dir=tmp)
    pipeline._open_run_dir()  # the real writer, hooks and collector, as in run()
    pipeline._wire()
    return pipeline


def env_only(env, steps: int) -> float:
    actions = np.zeros(env.num_envs, dtype=np.int64)
    actions[::2] = 1
    env.reset()
    start = time.perf_counter()
    for _ in range(steps):
        env.step(actions)
    return steps * env.num_envs / (time.perf_counter() - start)


def bare_loop(env, act, steps: int) -> float:
    obs = env.reset()
    start = time.perf_counter()
    for _ in range(steps):
        obs = env.step(act(obs)["env_action"]).obs
    return steps * env.num_envs / (time.perf_counter() - start)


def collector_loop(collector, steps: int) -> float:
    collects = max(1, steps // collector.steps_per_collect)
    start = time.perf_counter()
    for _ in range(collects):
        collector.collect()
    return collects * collector.steps_per_collect * collector.num_envs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2048, help="vector steps per measurement")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--envs", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--managers", nargs="+", default=["sync", "vector"])
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    print(f"load before: {os.getloadavg()}")
    print(f"{'manager':8s} {'envs':>4s} {'env only':>12s} {'bare loop':>12s} {'collector':>12s} "
          f"{'collector/bare':>15s}   (env steps/s, median of {args.repeats})")
    with tempfile.TemporaryDirectory(prefix="bench_collector_") as tmp:
        for manager in args.managers:
            for num_envs in args.envs:
                pipeline = build(Path(tmp), manager, num_envs)
                env, act, collector = pipeline.collector_env, pipeline.policy.collect_forward, pipeline.collector
                steps = max(args.steps // num_envs * 8, 4 * STEPS_PER_COLLECT)
                collector.collect()  # warm-up: allocates the rollout arrays
                results: dict[str, list[float]] = {"env": [], "bare": [], "collector": []}
                for _ in range(args.repeats):
                    results["env"].append(env_only(env, steps))
                    results["bare"].append(bare_loop(env, act, steps))
                    collector._obs = None  # start from fresh episodes like the bare loop does
                    results["collector"].append(collector_loop(collector, steps))
                med = {k: statistics.median(v) for k, v in results.items()}
                ratios = [c / b for c, b in zip(results["collector"], results["bare"], strict=True)]
                print(f"{manager:8s} {num_envs:4d} {med['env']:12,.0f} {med['bare']:12,.0f} {med['collector']:12,.0f} "
                      f"{med['collector'] / med['bare']:15.2f}   (per-repeat ratio median "
                      f"{statistics.median(ratios):.2f}, min {min(ratios):.2f})", flush=True)
                pipeline.writer.close()
                pipeline.log.close()
                env.close()
                pipeline.evaluator_env.close()
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
