"""Raw env steps/s of the real envs behind each backend, 8 envs, side by side in one run (prints, never asserts).

Every backend runs the same task with the same preprocessing as training uses (collector flavour: DI-engine's
Atari preset, episodic life and clipped rewards), random actions drawn beforehand, same-step autoreset
included, no model. Backends: gymnasium ``sync`` (in-process, exact resume), ``async`` (one process per env)
and ``env_pool`` (``PongNoFrameskip-v4`` runs as envpool's ``Pong-v5``). Each row also gives the observation
batch's bytes (uint8 frames: 8 x 4 x 84 x 84 = 225,792 bytes per step; float32 would be 4x) and the process's
peak RSS after the row (async's workers are other processes, not counted).

Run:
    python bench/bench_env_collect.py                       # Pong and Hopper, 8 envs, 2 s per backend
    python bench/bench_env_collect.py --envs 16 --seconds 5 --task Walker2d-v5
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ding_lite.config import ConfigError
from ding_lite.envs.make import EnvOptions
from ding_lite.envs.managers import make_manager
from ding_lite.envs.registry import resolve_env

BACKENDS = ("sync", "async", "env_pool")


def measure(task: str, backend: str, num_envs: int, seconds: float) -> tuple[float, int, str]:
    """(env steps/s over all envs, obs batch bytes, the task that ran and the manager's choice line)."""
    env_id, _ = resolve_env({"env_id": task, "manager": {"type": backend}})
    manager = make_manager(env_id, num_envs, 0, backend, env_options=EnvOptions(train=True))
    try:
        obs = manager.reset()
        space = manager.action_space
        actions = [np.stack([space.sample() for _ in range(num_envs)]) for _ in range(256)]
        for a in actions[:16]:  # warm-up: worker start, first resets
            manager.step(a)
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for a in actions:
                manager.step(a)
            steps += len(actions)
        elapsed = time.perf_counter() - start
        return steps * num_envs / elapsed, obs.nbytes, f"{env_id}; {manager.choice}"
    finally:
        manager.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", action="append", help="gymnasium id (repeatable; default Pong and Hopper)")
    parser.add_argument("--envs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per backend")
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="default: all three")
    args = parser.parse_args(argv)
    tasks = args.task or ["PongNoFrameskip-v4", "Hopper-v5"]
    print(f"{'task':<20} {'backend':<9} {'env steps/s':>12} {'obs bytes/step':>15} {'peak RSS MiB':>13}  task run; choice")
    for task in tasks:
        for backend in args.backend or BACKENDS:
            try:
                rate, nbytes, choice = measure(task, backend, args.envs, args.seconds)
            except ConfigError as exc:
                print(f"{task:<20} {backend:<9} skipped: {exc}")
                continue
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{task:<20} {backend:<9} {rate:>12,.0f} {nbytes:>15,} {rss:>13,.0f}  {choice}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
