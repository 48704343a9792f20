"""Training throughput with Stable-Baselines3's tuned CartPole PPO hyperparameters, against SB3.

Runs the real CLI, ``python -m entry.serial_onpolicy -c bench/cartpole_ppo_sb3_config.py --max-env-step
50000`` (8 envs, n_sample 256, 20 epochs, batch 256, lr 1e-3, gae_lambda 0.8, gamma 0.98, entropy 0,
clip 0.2; no stop_value, so exactly 196 collects = 50,176 env steps and 3,920 updates), --repeats times
from fresh temporary directories. Two figures per run:

- training env steps/s: env steps / the run's own wall seconds (``SerialPipeline.run``: collect, learn,
  logging, checkpoints; what SB3's ``model.learn`` time measures);
- launch->exit env steps/s: env steps / wall seconds of the whole command (imports and start-up too).

Reference: SB3 PPO with these hyperparameters runs at ~2,260 env steps/s on this machine; target >= 2x.
Medians over the repeats; the load average is printed (2 cores, possibly shared).

Run: ``python bench/bench_train_throughput.py [--repeats 3] [--max-env-step 50000] [--manager vector]``
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "bench" / "cartpole_ppo_sb3_config.py"
SB3_STEPS_PER_SEC = 2260
STOPPED = re.compile(r"at envstep (?P<envstep>[\d,]+), train_iter (?P<iter>[\d,]+) \((?P<run>[\d.]+) s\)")


def run_once(max_env_step: int, manager: str | None, code: Path = REPO) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), env.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryDirectory(prefix="bench_sb3_") as tmp:
        config = CONFIG
        if manager:
            config = Path(tmp) / "sb3_manager_config.py"
            config.write_text(f"import runpy\nns = runpy.run_path({str(CONFIG)!r})\n"
                              f"main_config, create_config = ns['main_config'], ns['create_config']\n"
                              f"main_config.env.manager = dict(type={manager!r})\n"
                              f"create_config.env_manager = dict(type={manager!r})\n")
        cmd = [sys.executable, "-m", "entry.serial_onpolicy", "-c", str(config), "--max-env-step", str(max_env_step)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    match = STOPPED.search(proc.stdout)
    envstep = int(match["envstep"].replace(",", ""))
    return {"envstep": envstep, "train_iter": int(match["iter"].replace(",", "")), "run": float(match["run"]),
            "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-env-step", type=int, default=50_000)
    parser.add_argument("--manager", default=None, help="override env.manager.type (default: auto)")
    parser.add_argument("--compare", type=Path, default=None, metavar="DIR",
                        help="another ding_lite tree (e.g. an exported older commit): its runs alternate with "
                             "this tree's, same config, so both see the same machine load")
    args = parser.parse_args()
    print(f"SB3-hyperparameter PPO, {args.max_env_step:,} env steps, manager {args.manager or 'auto'}; "
          f"load before: {os.getloadavg()}")
    runs, others = [], []
    for i in range(args.repeats):
        r = run_once(args.max_env_step, args.manager)
        runs.append(r)
        print(f"run {i}: {r['envstep']:,} env steps, {r['train_iter']:,} updates, run {r['run']:.2f} s "
              f"({r['envstep'] / r['run']:,.0f} env steps/s), launch->exit {r['wall']:.2f} s "
              f"({r['envstep'] / r['wall']:,.0f} env steps/s)", flush=True)
        if args.compare:
            o = run_once(args.max_env_step, args.manager, args.compare)
            others.append(o)
            print(f"  {args.compare}: run {o['run']:.2f} s ({o['envstep'] / o['run']:,.0f} env steps/s), "
                  f"launch->exit {o['wall']:.2f} s", flush=True)
    if others:
        mine = statistics.median(r["envstep"] / r["run"] for r in runs)
        theirs = statistics.median(o["envstep"] / o["run"] for o in others)
        print(f"{args.compare}: median training throughput {theirs:,.0f} env steps/s = "
              f"{theirs / SB3_STEPS_PER_SEC:.2f}x SB3; this tree is {mine / theirs:.2f}x it")
    train = statistics.median(r["envstep"] / r["run"] for r in runs)
    whole = statistics.median(r["envstep"] / r["wall"] for r in runs)
    print(f"median training throughput {train:,.0f} env steps/s = {train / SB3_STEPS_PER_SEC:.2f}x SB3 "
          f"({SB3_STEPS_PER_SEC:,}); launch->exit {whole:,.0f} env steps/s = {whole / SB3_STEPS_PER_SEC:.2f}x SB3; "
          f"target 2x")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
