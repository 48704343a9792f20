"""Many seeds / a config grid as fault-tolerant Ray tasks, each run in its own experiment dir.

``python -m entry.ray_runs -c cartpole_ppo_config.py --seeds 0-7 [--grid KEY=V1,V2 ...] [--address auto|HOST:PORT]``
"""
from __future__ import annotations

import argparse
import ast
import shlex
import sys
from pathlib import Path
from typing import Any


def parse_seeds(text: str) -> list[int]:
    """'0-7', '0,3,5' or '0-3,8' -> the seeds in order."""
    seeds: list[int] = []
    for part in text.split(","):
        lo, dash, hi = part.strip().partition("-")
        if not lo.isdigit() or (dash and not hi.isdigit()):
            raise argparse.ArgumentTypeError(f"'{text}' is not a list of seeds like 0-7 or 0,3,5")
        seeds += list(range(int(lo), int(hi) + 1)) if dash else [int(lo)]
    return seeds


def parse_value(text: str) -> Any:
    """A Python literal (1e-3, 64, True, [64, 64]), else the text itself (a string value)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise argparse.ArgumentTypeError(f"--grid '{item}' is not KEY=V1,V2 (e.g. policy.learn.learning_rate=1e-3,3e-4)")
        grid[key] = [parse_value(v) for v in values.split(",")]
    return grid


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entry.ray_runs", description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True, help="config file (as given, else among the shipped configs/)")
    parser.add_argument("--seeds", type=parse_seeds, default=[0], help="seeds, e.g. 0-7 or 0,3,5 (default 0)")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                        help="a config key (dotted, as in the config file) and its values; repeat for a product")
    parser.add_argument("--address", default=None, metavar="auto|HOST:PORT",
                        help="join this Ray cluster (default: start a local Ray on this machine)")
    parser.add_argument("--max-env-step", type=int, default=None, help="stop each run after this many env steps")
    parser.add_argument("--max-train-iter", type=int, default=None, help="stop each run after this many updates")
    parser.add_argument("--resume", action="store_true",
                        help="continue the newest dir of each run (its newest checkpoint) instead of new dirs")
    parser.add_argument("--max-retries", type=int, default=3, help="re-runs of a run whose worker died (default 3)")
    parser.add_argument("--num-cpus", type=float, default=1.0, help="CPUs each run reserves (default 1)")
    return parser


def line(result: dict) -> str:
    best = "no eval" if result["best_ckpt"] is None else f"best eval {result['best_return']:.1f}"
    resumed = f"; resumed from {Path(result['resumed_from']).name}" if result["resumed_from"] else ""
    return (f"{result['name']}: {best}, {result['envstep']:,} env steps, {result['finished'] - result['started']:.1f} s "
            f"({result['stop_reason']}{resumed}) -> {result['run_dir']}")


def table(specs: list, results: list) -> list[str]:
    rows = [("run", "best eval", "env steps", "train_iter", "status")]
    for spec, r in zip(specs, results, strict=True):
        if isinstance(r, dict):
            rows.append((spec.name, f"{r['best_return']:.1f}", f"{r['envstep']:,}", f"{r['train_iter']:,}", "done"))
        else:
            rows.append((spec.name, "-", "-", "-", f"failed: {type(r).__name__}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["Runs:"] + ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                        for row in rows]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from configs import SEARCH_PATH
    from ding_lite.config import ConfigError
    from ding_lite.distributed import runs

    try:
        grid = parse_grid(args.grid)
        specs = runs.plan(args.config, args.seeds, grid, SEARCH_PATH, max_env_step=args.max_env_step,
                          max_train_iter=args.max_train_iter, resume=args.resume)
        runs.connect(args.address)
    except (ConfigError, argparse.ArgumentTypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(specs)} runs of {specs[0].config_path} on Ray", flush=True)

    def on_finish(spec, result) -> None:
        if isinstance(result, dict):
            print(line(result), flush=True)
        else:  # the exception that ended the run (its first line: Ray's own errors run on)
            print(f"{spec.name}: failed: {(str(result).strip().splitlines() or [type(result).__name__])[0]}", flush=True)

    try:
        results = runs.run_many(specs, on_finish, max_retries=args.max_retries, num_cpus=args.num_cpus)
    except KeyboardInterrupt:
        again = ["python", "-m", "entry.ray_runs", *(sys.argv[1:] if argv is None else argv)]
        again += [] if args.resume else ["--resume"]
        print(f"Interrupted: the runs keep their checkpoints; continue them with: {shlex.join(again)}", file=sys.stderr)
        return 130
    print("\n".join(table(specs, results)))
    dirs = " ".join(r["run_dir"] for r in results if isinstance(r, dict))
    if dirs:
        print(f"Curves of the seeds: python -m entry.plot {dirs} --group -o seeds.png", flush=True)
    return 0 if all(isinstance(r, dict) for r in results) else 1


if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main())
