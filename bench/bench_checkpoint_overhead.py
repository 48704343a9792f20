"""Checkpoint overhead inside a real run: seconds per save and share of the run, at the shipped frequency.

Runs the shipped PPO config (save_ckpt_after_iter=200, ckpt_best on every new best eval, a final
checkpoint) through bench/phases.py, i.e. the real CLI with timers around ``SerialPipeline._save``
(state_dict + env-state capture + atomic fsynced write), with stop_value disabled so that the run lasts
--max-train-iter updates. Prints, per repeat and as medians: number of saves, seconds per save, checkpoint
seconds as a share of the run (``SerialPipeline.run``) and of the training loop's own time per 200 updates.

(bench/bench_checkpoint_io.py times the file layer alone: save/load/lookup of a synthetic state.)

Run: ``python bench/bench_checkpoint_overhead.py [--max-train-iter 2000] [--repeats 3]``
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'ckpt_overhead'
main_config.env.stop_value = None  # run the whole horizon
"""


def run_once(max_train_iter: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryDirectory(prefix="bench_ckpt_") as tmp:
        config = Path(tmp) / "ckpt_overhead_config.py"
        config.write_text(CONFIG)
        out = Path(tmp) / "phases.json"
        env["BENCH_LAUNCH"] = repr(time.time())
        cmd = [sys.executable, str(REPO / "bench" / "phases.py"), str(out), "entry.serial_onpolicy", "-c", str(config),
               "--max-train-iter", str(max_train_iter)]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        data = json.loads(out.read_text())
        sizes = [p.stat().st_size for p in (Path(tmp) / "ckpt_overhead" / "ckpt").glob("*.pth.tar")]
    phases, calls, counters = data["phases"], data["calls"], data["counters"]
    return {"saves": calls.get("checkpoint", 0), "ckpt": phases.get("checkpoint", 0.0),
            "run": counters["run_seconds"], "train_iter": counters["train_iter"],
            "size": statistics.median(sizes) if sizes else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-train-iter", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"shipped PPO config, {args.max_train_iter} updates, save every 200 + best + final; "
          f"load before: {os.getloadavg()}")
    runs = []
    for i in range(args.repeats):
        r = run_once(args.max_train_iter)
        runs.append(r)
        print(f"run {i}: {r['saves']} saves, {r['ckpt'] / r['saves'] * 1e3:.1f} ms per save "
              f"({r['size'] / 1024:.0f} KiB), checkpoints {r['ckpt']:.3f} s of a {r['run']:.2f} s run "
              f"= {r['ckpt'] / r['run']:.1%}", flush=True)
    per_save = statistics.median(r["ckpt"] / r["saves"] for r in runs)
    share = statistics.median(r["ckpt"] / r["run"] for r in runs)
    per_200 = statistics.median((r["run"] - r["ckpt"]) / r["train_iter"] * 200 for r in runs)
    print(f"median {per_save * 1e3:.1f} ms per save; checkpoints are {share:.1%} of the run; one periodic save "
          f"costs {per_save / per_200:.1%} of the {per_200:.2f} s the loop spends on 200 updates")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
