"""kill -9 at random instants of a run on DI-engine's 'subprocess' env manager; every resume ends bit-identical.

One uninterrupted run to ``--horizon`` train iterations is the reference. Each trial starts the same run afresh,
waits until it has started (its first evaluation line), SIGKILLs it at a random instant of the reference's
training time (odd trials the main process alone, whose env workers must then leave by themselves; even trials
the whole process group), then runs ``--resume latest`` (or starts again when no checkpoint was complete yet)
until the horizon, and compares the final checkpoint and TensorBoard scalars with the reference. Printed,
never asserted.

    python bench/kill9_subprocess.py [--trials 20] [--horizon 96] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's ding_lite, not an installed one

from run_control import EVAL_LINE, EXP, Cli, run, same_run, write_config

SAVE_EVERY = 8


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] not in "ZX"
    except OSError:
        return False


def left_behind(pids: list[int], grace: float = 10.0) -> list[int]:
    """The workers still alive ``grace`` seconds after the kill (a killed process needs a moment to be gone)."""
    deadline = time.monotonic() + grace
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def worker_pids(run_dir: Path) -> list[int]:
    log = (run_dir / "log" / "train.log").read_text()
    marker = "env manager async (one process per env, pids "
    line = next(line for line in log.splitlines() if marker in line)
    return [int(p) for p in line.split(marker)[1].split(")")[0].split(",")]


def trial(work: Path, k: int, delay: float, horizon: int, reference: Path) -> str:
    from ding_lite.pipeline.layout import newest_in_run

    config = write_config(work, "subprocess", SAVE_EVERY)
    cli = Cli(work, "-c", str(config), "--max-train-iter", str(horizon))
    if not cli.wait_for(EVAL_LINE):
        return f"did not start: {cli.finish()[1].strip().splitlines()[-1]}"
    time.sleep(delay)  # the random instant (a bench: the instant itself is what is drawn)
    workers = worker_pids(work / EXP)
    whom = "group" if k % 2 == 0 else "main"
    if cli.proc.poll() is not None:
        return "finished before the kill (not counted)"
    if whom == "group":
        os.killpg(cli.proc.pid, signal.SIGKILL)
    else:
        os.kill(cli.proc.pid, signal.SIGKILL)
    code, _ = cli.finish()
    left = left_behind(workers)
    newest = newest_in_run(work / EXP)
    at = newest.name.split("_")[1].split(".")[0] if newest else "none"
    args = ["--resume", "latest"] if newest else []
    code, out = run(work, "-c", str(config), *args, "--max-train-iter", str(horizon))
    if code != 0:
        return f"kill -9 ({whom}) exit {code}; resume failed: {out.strip().splitlines()[-1]}"
    orphans = f"; {len(left)} env workers left behind" if left else ""
    return f"kill -9 to the {whom:<5} newest checkpoint {at:>4}  resumed to {horizon}: bit-identical {same_run(work / EXP, reference, horizon)}{orphans}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kill9_subprocess_"))
    config = write_config(root / "reference", "subprocess", SAVE_EVERY)
    cli = Cli(config.parent, "-c", str(config), "--max-train-iter", str(args.horizon))
    cli.wait_for(EVAL_LINE)
    started = time.perf_counter()
    code, out = cli.finish()
    span = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"the uninterrupted run failed (exit {code}): {out.strip().splitlines()[-1]}")
    print(f"work dir {root}; reference: {args.horizon} train iters on 'subprocess', checkpoint every {SAVE_EVERY}, "
          f"{span:.1f} s of training after its first evaluation; kills drawn uniformly in that span", flush=True)
    rng = random.Random(args.seed)
    results = []
    k = 0
    while sum("not counted" not in r for r in results) < args.trials and k < 3 * args.trials:
        delay = rng.uniform(0.0, 0.8 * span)  # a run restarted here may be faster than the reference was
        result = trial(root / f"trial_{k:02d}", k, delay, args.horizon, root / "reference" / EXP)
        results.append(result)
        print(f"trial {k:2d}  kill at +{delay:5.2f} s  {result}", flush=True)
        k += 1
    counted = [r for r in results if "not counted" not in r]
    print(f"\n{sum('bit-identical yes' in r for r in counted)} of {len(counted)} killed runs resumed bit-identical "
          f"to the uninterrupted run ({len(results) - len(counted)} finished before their kill)")


if __name__ == "__main__":
    main()
