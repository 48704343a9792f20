"""Pong replay memory and sampling time: shared frames against the two-array buffer (prints, never asserts).

Real frames: the shipped ``pong_dqn`` config's 8 training envs (DI-engine's Atari preprocessing, 4 stacked
84x84 uint8 frames) stepped by the pipeline's own collector with the policy's eps-greedy forward (eps starts at
1: random play, the first thing a run's buffer holds). Every rollout is pushed into a 100k ``ReplayBuffer`` with
shared frames and one with two arrays (``share_frames=False``); bytes per transition are measured on what the
buffers hold and extrapolated to 100k. Sampling: median wall time of ``sample(32, nstep, 0.99)`` over
``--batches`` calls, the two buffers alternating with the same generator seeds (and the batches compared).

Run:
    python bench/bench_frame_storage.py [--steps 500] [--batches 300]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_real_env_collect import build, close

from ding_lite.data.replay_buffer import ReplayBuffer

CAPACITY = 100_000
SHAPE = (4, 84, 84)


def sample_ms(buffers: dict[str, ReplayBuffer], nstep: int, batches: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in buffers}
    for i in range(batches):
        out = {}
        for name, buf in buffers.items():
            gen = torch.Generator().manual_seed(i)
            start = time.perf_counter()
            out[name] = buf.sample(32, nstep, 0.99, gen)
            times[name].append(time.perf_counter() - start)
        a, b = out.values()
        assert all(torch.equal(a[k], b[k]) for k in a), "shared-frame batch differs from the two-array batch"
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=500, help="agent steps per env (8 envs)")
    parser.add_argument("--batches", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    buffers = {"shared frames": ReplayBuffer(CAPACITY, SHAPE, obs_dtype=np.uint8),
               "two arrays": ReplayBuffer(CAPACITY, SHAPE, obs_dtype=np.uint8, share_frames=False)}
    push_s = {name: 0.0 for name in buffers}
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = build(Path(tmp), "pong_dqn_config.py", 96)
        ends = 0
        while buffers["two arrays"].total < 8 * args.steps:
            rollout, _ = pipeline.collector.collect()
            ends += int((rollout["terminated"] | rollout["truncated"]).sum())
            for name, buf in buffers.items():
                start = time.perf_counter()
                buf.push(rollout)
                push_s[name] += time.perf_counter() - start
        close(pipeline)
        shared, naive = buffers.values()
        n = len(naive)
        print(f"{n:,} Pong transitions from 8 envs, {ends} episode ends (terminated or truncated), "
              f"{len(shared.frames.anchors)} anchors, {len(shared.frames.nexts)} kept next_obs")
        print(f"{'buffer':15s} {'bytes held':>14s} {'per transition':>15s} {'per 100k (extrap.)':>19s} "
              f"{'push ms/collect':>16s} {'side file':>14s}")
        for name, buf in buffers.items():
            path = f"{tmp}/{name.replace(' ', '_')}.pth.tar"
            buf.save(path)
            per = buf.nbytes / n
            print(f"{name:15s} {buf.nbytes:14,} {per:15,.0f} {per * CAPACITY / 1e9:16.3f} GB "
                  f"{1000 * push_s[name] / (n / 96):16.2f} {Path(path).stat().st_size:14,}")
    frames = shared.frames
    print(f"allocated arrays at capacity {CAPACITY:,}: frame ring {frames.frames.shape} = "
          f"{frames.frames.nbytes / 1e9:.3f} GB, depth {frames.depth.nbytes:,} B, action/reward/done "
          f"{sum(a.nbytes for a in shared._data.values()):,} B; two arrays obs+next_obs "
          f"{(naive._data['obs'].nbytes + naive._data['next_obs'].nbytes) / 1e9:.3f} GB "
          f"(float32: {4 * (naive._data['obs'].nbytes + naive._data['next_obs'].nbytes) / 1e9:.1f} GB)")
    for nstep in (1, 3):
        ms = sample_ms(buffers, nstep, args.batches)
        print(f"sample(32, nstep={nstep}): " + ", ".join(f"{k} {v:.3f} ms" for k, v in ms.items())
              + f"  (ratio {ms['shared frames'] / ms['two arrays']:.2f}; batches identical)")


if __name__ == "__main__":
    main()
