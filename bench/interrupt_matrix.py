"""Every env manager x {SIGINT, SIGTERM, SIGUSR1} x {main process, whole process group}, on a DI-engine-format file.

Each cell starts ``python -m entry.serial_onpolicy`` in its own session (as a terminal job or a batch job runs),
waits for its second evaluation line, sends the signal to the main process (``kill PID``) or to the group (a
terminal's Ctrl-C, ``timeout``, ``kill -- -PGID``, SLURM, Kubernetes), and records the exit code and whether a
traceback appeared. It then resumes the newest checkpoint to ``--horizon`` train iterations ("resumes": exit 0)
and compares the final checkpoint and TensorBoard scalars with an uninterrupted run of the same manager
("bit-identical"). Printed, never asserted; the CLI's documented "interrupted, resumable" code is 75.

    python bench/interrupt_matrix.py [--managers base,sync,subprocess,async,env_pool,ray]

Each 'ray' run starts its own local Ray (as a user's run does), so its cells take ~10 s longer.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's ding_lite, not an installed one

from run_control import EVAL_LINE, EXP, Cli, run, same_run, write_config

MANAGERS = ("base", "sync", "subprocess", "async", "env_pool", "ray")
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)
TARGETS = ("process", "group")
UNCAPTURABLE = {"env_pool": "n/a (envpool keeps env state in C++)"}


def cell(work: Path, manager: str, sig: signal.Signals, target: str, horizon: int, reference: Path | None) -> dict:
    from ding_lite.pipeline.layout import newest_in_run
    from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint

    config = write_config(work, manager)
    cli = Cli(work, "-c", str(config))
    row = {"exit": "-", "traceback": "-", "checkpoint": "no", "resumes": "-", "identical": "-", "at": "-"}
    if not cli.wait_for(EVAL_LINE, count=2):
        code, out = cli.finish()
        row.update(exit=str(code), note=out.strip().splitlines()[-1][:100] if out.strip() else "no output")
        return row
    if target == "process":
        os.kill(cli.proc.pid, sig)
    else:
        os.killpg(cli.proc.pid, sig)
    code, out = cli.finish()
    row.update(exit=str(code), traceback="yes" if "Traceback" in out else "no")
    newest = newest_in_run(work / EXP)
    if newest is None:
        return row
    try:
        row["at"] = str(load_checkpoint(str(newest))["train_iter"])
        row["checkpoint"] = "yes"
    except CheckpointError:
        row["checkpoint"] = "unreadable"
        return row
    code, out = run(work, "-c", str(config), "--resume", str(work / EXP), "--max-train-iter", str(horizon))
    row["resumes"] = "yes" if code == 0 else f"no (exit {code})"
    if "Traceback" in out:
        row["traceback"] += " / resume: yes"
    if code == 0:
        row["identical"] = UNCAPTURABLE.get(manager) or same_run(work / EXP, reference, horizon)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", default=",".join(MANAGERS))
    parser.add_argument("--horizon", type=int, default=64, help="train iterations the resumed runs end at")
    args = parser.parse_args()
    managers = args.managers.split(",")
    root = Path(tempfile.mkdtemp(prefix="interrupt_matrix_"))
    print(f"work dir {root}; CartPole PPO from a DI-engine-format file (module-level main_config/create_config, "
          f"env_manager by type); resumed runs end at train_iter {args.horizon}", flush=True)
    header = (f"{'manager':<11} {'signal':<8} {'to':<8} {'exit':>4}  {'traceback':<10} {'checkpoint':<10} "
              f"{'saved at':>8}  {'resumes':<8} bit-identical to uninterrupted")
    rows = []
    start = time.perf_counter()
    print(header, flush=True)
    for manager in managers:
        reference = None
        if manager not in UNCAPTURABLE:
            reference = root / manager / "reference"
            code, out = run(write_config(reference, manager).parent, "-c", str(reference / "bench_interrupt_config.py"),
                            "--max-train-iter", str(args.horizon))
            if code != 0:
                print(f"{manager}: the uninterrupted run failed (exit {code}): {out.strip().splitlines()[-1]}")
                continue
            reference = reference / EXP
        for sig in SIGNALS:
            for target in TARGETS:
                row = cell(root / manager / f"{sig.name}_{target}", manager, sig, target, args.horizon, reference)
                rows.append(row)
                print(f"{manager:<11} {sig.name:<8} {target:<8} {row['exit']:>4}  {row['traceback']:<10} "
                      f"{row['checkpoint']:<10} {row['at']:>8}  {row['resumes']:<8} {row['identical']}"
                      + (f"  [{row['note']}]" if "note" in row else ""), flush=True)
    good = sum(r["exit"] == "75" and r["traceback"] == "no" and r["checkpoint"] == "yes" and r["resumes"] == "yes"
               for r in rows)
    exact = [r for r in rows if r["identical"] not in UNCAPTURABLE.values()]
    print(f"\n{good} of {len(rows)} cells: exit 75, no traceback, a checkpoint that resumes; "
          f"{sum(r['identical'] == 'yes' for r in exact)} of {len(exact)} capturable cells bit-identical "
          f"({time.perf_counter() - start:.0f} s wall)")


if __name__ == "__main__":
    main()
