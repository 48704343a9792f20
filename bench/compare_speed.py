"""Speed of two source trees side by side, runs alternating so both see the same machine load.

For each tree (``PYTHONPATH=<tree>``, a fresh working dir per run) it times: ``import ding_lite`` (and
whether torch got imported), ``python -m entry.serial_onpolicy --help``, and the launch->exit seconds of
the shipped configs trained to their stop_value by the real CLI, with the env steps they needed. Prints
medians per tree and new/old ratios (< 1 is faster); a bench, not a timed assertion.

    python bench/compare_speed.py --old /tmp/old [--new DIR] [--repeats 5] [--seeds 0,1,2]
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
STOPPED = re.compile(r"at envstep ([\d,]+), train_iter")
SOLVES = (("entry.serial_onpolicy", "cartpole_ppo_config.py"), ("entry.serial_offpolicy", "cartpole_dqn_config.py"),
          ("entry.serial_onpolicy", "cartpole_pg_config.py"))


def timed(tree: Path, argv: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory(prefix="compare_speed_") as cwd:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {' '.join(argv)} failed:\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout


def measure(trees: dict[str, Path], repeats: int, seeds: list[int]) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    probe = "import sys, ding_lite; print('torch' in sys.modules)"
    for _ in range(repeats):
        for name, tree in trees.items():
            seconds, text = timed(tree, ["-c", probe])
            out[name].setdefault("import ding_lite (s)", []).append(seconds)
            out[name].setdefault("torch imported by import ding_lite", []).append(float(text.strip() == "True"))
            out[name].setdefault("--help (s)", []).append(timed(tree, ["-m", "entry.serial_onpolicy", "--help"])[0])
    for module, config in SOLVES:
        for seed in seeds:
            for name, tree in trees.items():
                seconds, text = timed(tree, ["-m", module, "-c", config, "-s", str(seed)])
                steps = STOPPED.findall(text)
                out[name].setdefault(f"{config} launch->exit (s)", []).append(seconds)
                out[name].setdefault(f"{config} env steps", []).append(float(steps[-1].replace(",", "")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, default=REPO)
    parser.add_argument("--repeats", type=int, default=5, help="of the import and --help timings")
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    print(f"old {args.old}\nnew {args.new}\nload before {os.getloadavg()}", flush=True)
    res = measure({"old": args.old, "new": args.new}, args.repeats, [int(s) for s in args.seeds.split(",")])
    print(f"{'median of':44} {'old':>9} {'new':>9} {'new/old':>8}")
    for key in res["old"]:
        old, new = statistics.median(res["old"][key]), statistics.median(res["new"][key])
        print(f"{key:44} {old:>9.3f} {new:>9.3f} {new / old if old else float('nan'):>8.2f}")
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
