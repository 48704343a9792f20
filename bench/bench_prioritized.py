"""Prioritized replay costs: sampling and priority updates per minibatch at 100k and 1M transitions
(O(log n) per sample through the sum tree), against the uniform buffer, and the side file's size and
save/load times. Prints figures; asserts nothing.

    python bench/bench_prioritized.py [--capacities 100000,1000000] [--batch 64]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ding_lite.data.prioritized import PrioritizedReplayBuffer
from ding_lite.data.replay_buffer import ReplayBuffer

ENVS = 8


def filled(cls: type, capacity: int, obs_dim: int) -> ReplayBuffer:
    buffer = cls(capacity, (obs_dim,))
    rows = 1000
    rng = np.random.default_rng(0)
    for _ in range(capacity // (rows * ENVS)):
        obs = rng.standard_normal((rows, ENVS, obs_dim), dtype=np.float32)
        buffer.push({"obs": obs, "final_obs": obs, "action": rng.integers(0, 2, (rows, ENVS)),
                     "reward": np.ones((rows, ENVS), np.float32), "terminated": np.zeros((rows, ENVS), bool),
                     "truncated": np.zeros((rows, ENVS), bool)})
    return buffer


def per_call_us(fn, repeats: int = 300) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacities", default="100000,1000000")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--obs-dim", type=int, default=4, help="CartPole: 4 floats")
    args = parser.parse_args()
    g = torch.Generator().manual_seed(0)
    print(f"batch {args.batch}, obs {args.obs_dim} floats, n-step 3; microseconds per minibatch")
    print(f"{'capacity':>10} {'uniform':>9} {'prioritized':>12} {'ratio':>6} {'update prio':>12} "
          f"{'side file MB':>13} {'save s':>7} {'load s':>7}")
    for capacity in (int(c) for c in args.capacities.split(",")):
        uniform = filled(ReplayBuffer, capacity, args.obs_dim)
        prio = filled(PrioritizedReplayBuffer, capacity, args.obs_dim)
        t_uniform = per_call_us(lambda b=uniform: b.sample(args.batch, 3, 0.99, g))
        t_prio = per_call_us(lambda b=prio: b.sample(args.batch, 3, 0.99, g))
        numbers = prio.sample(args.batch, 3, 0.99, g)["numbers"].numpy()
        errors = np.random.default_rng(1).random(args.batch)
        t_update = per_call_us(lambda b=prio, n=numbers, e=errors: b.update_priorities(n, e))
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "buffer.pth.tar")
            start = time.perf_counter()
            prio.save(path)
            saved = time.perf_counter() - start
            size = Path(path).stat().st_size / 2 ** 20
            again = PrioritizedReplayBuffer(capacity, (args.obs_dim,))
            start = time.perf_counter()
            again.load(path)
            loaded = time.perf_counter() - start
        print(f"{capacity:>10,} {t_uniform:>9.0f} {t_prio:>12.0f} {t_prio / t_uniform:>6.2f} {t_update:>12.0f} "
              f"{size:>13.1f} {saved:>7.2f} {loaded:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
