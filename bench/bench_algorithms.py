"""Env steps and launch->exit seconds to target for every shipped algorithm config, plus replay-buffer side files.

Part 1: for each shipped config, the real CLI (``python -m entry.serial_offpolicy|serial_onpolicy -c CONFIG
-s SEED``) runs in a fresh temporary directory, timed from just before the launch to its exit. The target is
the config's own stop_value (CartPole 195; Pendulum -250 within its max_env_step of 200k). Medians over the
seeds are printed with every run, and the 1-minute load average before each run (the machine has 2 cores,
so runs beside other work are slower: repeat when quiet).

Part 2: a CartPole-sized replay buffer (obs 4 floats) filled with N transitions is saved as the side file the
pipeline writes (``iteration_N.replay_buffer.pth.tar``): file size, median save and load seconds, and the peak
resident memory the save and the load add beyond the buffers themselves (each size in a fresh subprocess). The
load memory-maps the file, so its peak RSS includes the file's pages; they are clean page cache, which the
last two columns separate from anonymous memory (what the load actually allocates).

Run:
    python bench/bench_algorithms.py                      # all configs, seeds 0-4, buffers 10k and 100k
    python bench/bench_algorithms.py --only dqn --seeds 0 1 2 3 4 5 6 7 8 9
    python bench/bench_algorithms.py --skip-runs --buffer-sizes 10000 100000 1000000
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STOPPED = re.compile(r"Stopped: (?P<reason>.*?) at envstep (?P<envstep>[\d,]+), train_iter (?P<iter>[\d,]+)")
CONFIGS = {
    "dqn": ("entry.serial_offpolicy", "cartpole_dqn_config.py"),
    "pg": ("entry.serial_onpolicy", "cartpole_pg_config.py"),
    "ppo_pendulum": ("entry.serial_onpolicy", "pendulum_ppo_config.py"),
    "a2c": ("entry.serial_onpolicy", "cartpole_a2c_config.py"),
    "trpo": ("entry.serial_onpolicy", "cartpole_trpo_config.py"),
    "ppo_offpolicy": ("entry.serial_offpolicy", "cartpole_ppo_offpolicy_config.py"),
    "ppg": ("entry.serial_offpolicy", "cartpole_ppg_config.py"),
}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def run_once(module: str, config: str, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_algo_") as tmp:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", module, "-c", config, "-s", str(seed)], cwd=tmp,
                              env=child_env(), capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    match = STOPPED.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"{module} -c {config} -s {seed} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return {
        "seed": seed, "seconds": seconds, "load": load,
        "envstep": int(match["envstep"].replace(",", "")), "train_iter": int(match["iter"].replace(",", "")),
        "solved": "reached stop_value" in match["reason"], "reason": match["reason"],
    }


def bench_runs(names: list[str], seeds: list[int]) -> None:
    print(f"{'config':<14} {'solved':>6} {'median env steps':>17} {'median s launch->exit':>22}   runs (seed: steps, s, load)")
    for name in names:
        module, config = CONFIGS[name]
        runs = [run_once(module, config, seed) for seed in seeds]
        solved = [r for r in runs if r["solved"]]
        # an unsolved run counts as infinitely slow, so the median is honest about failures
        steps = statistics.median([r["envstep"] if r["solved"] else float("inf") for r in runs])
        secs = statistics.median([r["seconds"] if r["solved"] else float("inf") for r in runs])
        detail = ", ".join(f"{r['seed']}: {r['envstep']:,}{'' if r['solved'] else ' (unsolved)'} "
                           f"{r['seconds']:.1f}s {r['load']:.1f}" for r in runs)
        print(f"{name:<14} {len(solved)}/{len(runs):<4} {steps:>17,.0f} {secs:>22.2f}   {detail}", flush=True)


BUFFER_CHILD = r"""
import json, os, resource, statistics, sys, time
import numpy as np, torch
from ding_lite.data.replay_buffer import ReplayBuffer

n, path, repeats = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key + ":"))


rng = np.random.default_rng(0)
T, N = n // 8, 8
buf = ReplayBuffer(n, (4,))
for start in range(0, T, 1000):
    t = min(1000, T - start)
    obs = rng.normal(size=(t, N, 4)).astype(np.float32)
    buf.push({"obs": obs, "final_obs": obs, "action": rng.integers(0, 2, (t, N)),
              "reward": np.ones((t, N), np.float32), "terminated": rng.random((t, N)) < 0.05,
              "truncated": np.zeros((t, N), bool)})
target = ReplayBuffer(n, (4,))
for arr in target._data.values():
    arr.fill(0)  # touch the target's pages: they are the buffer's own size, not the load's cost
before_save = rss()
saves = []
for _ in range(repeats):
    t0 = time.perf_counter(); buf.save(path); saves.append(time.perf_counter() - t0)
after_save = rss()
loads = []
for _ in range(repeats):
    t0 = time.perf_counter(); target.load(path); loads.append(time.perf_counter() - t0)
after_load = rss()
assert len(target) == len(buf) == n
# the same load, step by step, to see which kind of memory the peak is: the mmap'd file's pages are
# clean page cache (dropped by the kernel under pressure); anonymous memory is what a load would *need*
anon0, file0 = status("RssAnon"), status("RssFile")
state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
target.load_state_dict(state, path)
anon_extra, file_extra = status("RssAnon") - anon0, status("RssFile") - file0
del state
print(json.dumps({"n": n, "bytes": os.path.getsize(path), "buffer_bytes": buf.nbytes,
                  "save_s": statistics.median(saves), "load_s": statistics.median(loads),
                  "save_extra_rss": after_save - before_save, "load_extra_rss": after_load - after_save,
                  "load_extra_anon": anon_extra, "load_extra_file": file_extra}))
"""


def bench_buffers(sizes: list[int], repeats: int) -> None:
    print(f"\n{'transitions':>12} {'side file':>11} {'in memory':>11} {'save s':>8} {'load s':>8} "
          f"{'save +peak RSS':>15} {'load +peak RSS':>15} {'of which anon':>14} {'file-backed':>12}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench_buffer_") as tmp:
            path = str(Path(tmp) / "iteration_1.replay_buffer.pth.tar")
            proc = subprocess.run([sys.executable, "-c", BUFFER_CHILD, str(n), path, str(repeats)],
                                  env=child_env(), capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{r['n']:>12,} {r['bytes'] / 1e6:>9.2f}MB {r['buffer_bytes'] / 1e6:>9.2f}MB {r['save_s']:>8.4f} "
              f"{r['load_s']:>8.4f} {r['save_extra_rss'] / 1e6:>13.2f}MB {r['load_extra_rss'] / 1e6:>13.2f}MB "
              f"{r['load_extra_anon'] / 1e6:>12.2f}MB {r['load_extra_file'] / 1e6:>10.2f}MB",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--skip-runs", action="store_true", help="only the replay-buffer figures")
    parser.add_argument("--buffer-sizes", nargs="*", type=int, default=[10_000, 100_000],
                        help="transitions per buffer (none: skip the buffer figures)")
    parser.add_argument("--buffer-repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if not args.skip_runs:
        bench_runs(args.only, args.seeds)
    if args.buffer_sizes:
        bench_buffers(args.buffer_sizes, args.buffer_repeats)


if __name__ == "__main__":
    main()
