"""Curves of finished (or running) experiments, drawn from their TensorBoard event files into a PNG.

``python -m entry.plot EXP_DIR [EXP_DIR ...] [-o curves.png] [--x envstep|iter] [--tag TAG] [--group]``

No TensorBoard server is needed: TensorBoard's own reader (``EventAccumulator``) reads the files,
so the picture shows exactly what TensorBoard would, including a resumed run as one line (the
pipeline cuts the old run's events back to the checkpoint when it resumes). matplotlib and
TensorBoard are imported only when a picture is drawn, so ``--help`` and the entries stay light.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ding_lite.utils.plot import AXES, DEFAULT_TAG, PlotError, plot_runs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entry.plot", description=__doc__.split("\n")[0])
    parser.add_argument("run_dirs", nargs="+", metavar="EXP_DIR", help="experiment dirs (several are overlaid)")
    parser.add_argument("-o", "--out", default="curves.png", help="image to write (default curves.png, 800x500 px)")
    parser.add_argument("--x", choices=sorted(AXES), default=None,
                        help="x axis: env steps or train iterations (default: the tag's, else envstep)")
    parser.add_argument("--tag", default=DEFAULT_TAG, help=f"scalar to draw (default {DEFAULT_TAG})")
    parser.add_argument("--group", action="store_true",
                        help="draw seeds of one config (same name up to time stamp / _seedN) as mean ± std")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        out = plot_runs([Path(d) for d in args.run_dirs], Path(args.out), args.tag, args.x, args.group)
    except PlotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({len(args.run_dirs)} run{'s' * (len(args.run_dirs) > 1)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
