"""Replay-buffer checkpoints at scale: incremental segments against SB3 2.9's ``save_replay_buffer``, one run.

Buffers of the shipped configs' real shapes, filled with synthetic data to 100k and 1M transitions:

- Pong (``pong_dqn_config.py``): 4x84x84 uint8 stacks in frame storage, 8 envs, int64 actions;
- Hopper (``hopper_sac_config.py``): 11 float32 observations, 3 float32 actions, 1 env.

For each: the first (full) save, then ``--saves`` checkpoints each after 10k new transitions pushed through
``push`` (continuing frame stacks for Pong), pruned to ``max_ckpt_keep`` (5) as the pipeline does. Printed: bytes
and seconds per checkpoint (the segment plus the manifest that goes into the checkpoint), the time of writing the
same new bytes as one array (``np.save`` + fsync) right after each checkpoint, and the median of those paired
ratios (fsync times swing with what else the machine writes), bytes on disk with 5 checkpoints kept (against 5 full copies),
and the resume load (the page cache of the segment files dropped first with ``posix_fadvise``, so it reads the
disk) next to plain sequential reads of the same files, cache dropped again ("read s": the disk's speed). SB3: its ``ReplayBuffer`` of the same shapes (observation dtypes of the real envs: Hopper float64) filled
the same way and saved with ``save_to_pkl`` (what ``save_replay_buffer`` calls); skipped, with the reason
printed, where it would need more than ``--sb3-max-gb`` of memory. Last, the training slowdown at the shipped save
frequency (every 10,000 train iterations): a short real run of each config measures seconds per iteration and
the checkpoint without the buffer; the buffer's part is the segment of the data one interval adds (Pong: 96k
transitions, Hopper: 10k).

Last run (2 cores at load average ~38 from other jobs: seconds pessimistic), per checkpoint after 10k new
transitions: Pong 71.7 MB in 0.089 s at 100k and 0.090 s at 1M (1.00x; 0.98x the one-array write at both);
Hopper 1.1 MB in 0.011 s / 0.015 s (1.38x; 1.42x / 1.83x the one-array write: a fixed 1-4 ms over a 6-11 ms
fsynced write). Disk with 5 kept: Pong 1.4 GB / 7.8 GB against 3.5 / 35.4 GB for 5 full copies. Resume load,
cold: Pong 1M 7.07 s (plain reads of the same files 4.68 s). SB3: Pong 100k 5,647 MB in 4.80 s, Pong 1M not run
(52.6 GB), Hopper 1M 200 MB in 0.12 s. Slowdown at the shipped save frequency: Pong DQN 0.015% of wall (the
buffer's part 0.008%), Hopper SAC 0.037% (0.007%). Full table: docs/replay_buffer.md.

Run (takes ~10 min; needs ~9 GB free memory for Pong 1M and ~9 GB of disk):
    nice -n 10 python bench/bench_buffer_checkpoint.py [--scales 100000 1000000] [--saves 6]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from buffer_checkpoint_measure import KEEP, SPECS, bench_ours, bench_sb3, make, mem_available_gb, push_new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--saves", type=int, default=10, help="checkpoints after 10k new transitions each")
    parser.add_argument("--sb3-max-gb", type=float, default=12.0)
    parser.add_argument("--slowdown-iters", type=int, default=60, help="train iterations of each short real run")
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--buffers", nargs="+", default=list(SPECS), choices=list(SPECS))
    parser.add_argument("--no-slowdown", action="store_true", help="skip the short real runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"memory available {mem_available_gb():.1f} GB; disk free {shutil.disk_usage(args.dir).free / 2**30:.0f} GB")
    rows = []
    for name in args.buffers:
        for cap in args.scales:
            need = cap * (7.1e3 if name == "Pong" else 110) / 2**30 * 1.15
            work = Path(tempfile.mkdtemp(prefix="bench_buffer_", dir=args.dir))
            try:
                if need + 1.5 > mem_available_gb():
                    rows.append((name, cap, f"skipped: needs {need:.1f} GB, {mem_available_gb():.1f} available", None))
                    continue
                ours = bench_ours(name, cap, args.saves, work)
                rows.append((name, cap, ours, bench_sb3(name, cap, work, args.sb3_max_gb)))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(f"  done {name} {cap:,}", flush=True)
    report(rows)
    if not args.no_slowdown:
        slowdown(args.slowdown_iters)


def report(rows: list) -> None:
    print("\nincremental checkpoints (10k new transitions per checkpoint, 5 kept) vs SB3 save_replay_buffer")
    print(f"{'buffer':<16}{'ckpt MB':>9}{'ckpt s':>8}{'1 array s':>10}{'ratio':>7}{'full MB':>9}{'full s':>8}"
          f"{'disk MB (5 kept)':>17}{'5 full MB':>10}{'load s':>8}{'read s':>8}   SB3 save")
    by = {}
    for name, cap, ours, sb3 in rows:
        if isinstance(ours, str):
            print(f"{name} {cap // 1000}k".ljust(16) + ours)
            continue
        by[(name, cap)] = ours
        sb3_text = sb3 if isinstance(sb3, str) else f"{sb3['b'] / 1e6:,.0f} MB in {sb3['s']:.2f} s"
        print(f"{name + f' {cap // 1000}k':<16}{ours['b'] / 1e6:9.1f}{ours['s']:8.3f}{ours['array_s']:10.3f}"
              f"{ours['ratio']:7.2f}{ours['full_b'] / 1e6:9,.0f}{ours['full_s']:8.2f}"
              f"{ours['disk'] / 1e6:17,.0f}{KEEP * ours['full_b'] / 1e6:10,.0f}{ours['load_s']:8.2f}{ours['read_s']:8.2f}   {sb3_text}")
    for name in SPECS:
        small, big = by.get((name, 100_000)), by.get((name, 1_000_000))
        if small and big:
            print(f"{name}: checkpoint at 1M / at 100k = {big['s'] / small['s']:.2f}x time, "
                  f"{big['b'] / small['b']:.2f}x bytes (target <= 1.5x); vs one array: {small['ratio']:.2f}x"
                  f" at 100k, {big['ratio']:.2f}x at 1M (target <= 1.2x; median of paired ratios)")


def slowdown(iters: int) -> None:
    """Short real runs: seconds per train iteration (collects included) and per checkpoint without the buffer;
    the buffer's part is the segment of one shipped save interval's data, measured on a buffer of the same shapes."""
    import copy
    import importlib

    from ding_lite.pipeline import SerialPipeline
    from ding_lite.worker.hooks import Hook

    print("\ntraining slowdown from checkpoints with the buffer at the shipped frequency (every 10,000 train iters)")
    for name, file, new_per_save, edits in (
            ("Pong", "pong_dqn_config", 96_000, {"max_episode_steps": 400}),
            ("Hopper", "hopper_sac_config", 10_000, {})):
        module = importlib.import_module(f"configs.{file}")
        main_cfg, create_cfg = copy.deepcopy(module.main_config), copy.deepcopy(module.create_config)
        main_cfg.policy.cuda = False
        main_cfg.policy.random_collect_size = min(main_cfg.policy.get("random_collect_size", 0), 300)
        main_cfg.policy.learn.learner = dict(hook=dict(save_ckpt_after_iter=0, save_ckpt_after_run=True))
        main_cfg.policy.other.replay_buffer.save_with_ckpt = False  # the checkpoint alone; the buffer below
        main_cfg.env.update(evaluator_env_num=1, n_evaluator_episode=1, stop_value=10 ** 9, **edits)
        marks: list[tuple[float, int]] = []
        with tempfile.TemporaryDirectory(prefix="bench_buffer_run_") as tmp:
            main_cfg.exp_name = "run"
            pipe = SerialPipeline(main_cfg, create_cfg, base_dir=Path(tmp))
            pipe.register_hook("after_iter", Hook("clock", lambda ctx, marks=marks: marks.append((time.perf_counter(),
                                                                                     ctx.train_iter))))
            saves: list[float] = []

            def timed(path: Path, save=pipe._save, saves=saves) -> None:
                start = time.perf_counter()
                save(path)
                saves.append(time.perf_counter() - start)

            pipe._save = timed  # the final checkpoint: weights, optimizers, counters, envs
            pipe.run(max_train_iter=iters)
            (t0, i0), (t1, i1) = marks[len(marks) // 4], marks[-1]
            per_iter, ckpt_s = (t1 - t0) / (i1 - i0), saves[-1]
            buf = make(name, 100_000 if name == "Pong" else 1_000_000)
            rng = np.random.default_rng(1)
            push_new(buf, 1000, SPECS[name][4], rng)
            buf.save_segments(str(Path(tmp) / "seg"))
            push_new(buf, new_per_save, SPECS[name][4], rng)
            start = time.perf_counter()
            buf.save_segments(str(Path(tmp) / "seg"))
            seg_s = time.perf_counter() - start
            del buf
        interval = 10_000 * per_iter
        print(f"{name:<7} {per_iter * 1e3:7.1f} ms/iter -> {interval:6.0f} s between saves; checkpoint {ckpt_s:.3f} s"
              f" + buffer segment of {new_per_save:,} transitions {seg_s:.2f} s: checkpoints cost "
              f"{100 * (ckpt_s + seg_s) / interval:.3f}% of wall, the buffer's part {100 * seg_s / interval:.3f}%")


if __name__ == "__main__":
    main()
