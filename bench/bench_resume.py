"""Launch -> first train iteration, fresh and resumed, with the shipped CartPole PPO config.

Prints medians over several launches and the size of a real checkpoint. Run from anywhere:
``python bench/bench_resume.py [--repeats 5]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
from configs import SEARCH_PATH
from ding_lite.pipeline import load_pipeline
from ding_lite.worker.hooks import Hook
resume = sys.argv[1] or None
pipeline = load_pipeline('cartpole_ppo_config.py', SEARCH_PATH, resume=resume, max_train_iter=int(sys.argv[2]))
def first(ctx):
    if not getattr(first, 'done', False):
        first.done = True
        print('FIRST_ITER', time.time(), flush=True)
pipeline.register_hook('before_iter', Hook('first_iter', first, priority=0))
pipeline.run()
"""


def launch_to_first_iter(cwd: Path, resume: str, max_train_iter: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, resume, str(max_train_iter)], cwd=cwd, env=env,
                         capture_output=True, text=True, check=True).stdout
    stamp = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("FIRST_ITER"))
    return stamp - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    fresh, resumed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            work = Path(tmp) / f"r{i}"
            work.mkdir()
            fresh.append(launch_to_first_iter(work, "", 80))
            resumed.append(launch_to_first_iter(work, "latest", 160))
        ckpt = next((Path(tmp) / "r0" / "cartpole_ppo" / "ckpt").glob("iteration_*.pth.tar"))
        size_kb = ckpt.stat().st_size / 1024
    print(f"launch -> first train iteration (fresh):   median {statistics.median(fresh):.2f} s "
          f"(min {min(fresh):.2f}, max {max(fresh):.2f}, n={len(fresh)})")
    print(f"launch -> first resumed train iteration:   median {statistics.median(resumed):.2f} s "
          f"(min {min(resumed):.2f}, max {max(resumed):.2f}, n={len(resumed)})")
    print(f"checkpoint size (cartpole PPO, full run state): {size_kb:.0f} KB")
    print("reference: DI-engine ~10 s to the first iteration; 575 KB checkpoint without run state")


if __name__ == "__main__":
    main()
