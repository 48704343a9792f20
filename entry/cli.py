"""Command line shared by the serial entries; torch is imported only after the arguments parse."""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-c", "--config", required=True,
                        help="config file (as given, else looked up among the shipped configs/)")
    parser.add_argument("-s", "--seed", type=int, default=None, help="seed (default: the config's, else 0)")
    parser.add_argument("--max-env-step", type=int, default=None, help="stop after this many env steps")
    parser.add_argument("--max-train-iter", type=int, default=None, help="stop after this many gradient updates")
    parser.add_argument("--resume", default=None, metavar="latest|auto|DIR|CKPT",
                        help="continue a run: the newest run of this exp_name, a run dir or a checkpoint file; "
                             "auto: the newest run if one has a checkpoint, else start it (docs/preemption.md)")
    parser.add_argument("--wandb", default=None, metavar="PROJECT",
                        help="also log to Weights & Biases project PROJECT (a resume continues the same W&B run)")
    parser.add_argument("--plot", nargs="?", const="", default=None, metavar="FILE",
                        help="when the run ends, draw its eval return to FILE (default: EXP_DIR/curves.png)")
    return parser


def main(prog: str, description: str, default_policy: str, argv: list[str] | None = None) -> int:
    """0 finished, 75 interrupted by a stop signal and resumable, 1 failed during the run, 2 bad input, 130 a
    second Ctrl-C (docs/interrupts.md). The stop-signal handlers stay installed until the process exits."""
    args = build_parser(prog, description).parse_args(argv)
    from ding_lite.pipeline import interrupts

    interrupts.install(announce=True)  # before the heavy imports: a signal while loading stops at the first step
    try:
        return _train(args, prog, default_policy)
    except interrupts.RunAborted:
        return interrupts.EXIT_ABORTED


def _train(args: argparse.Namespace, prog: str, default_policy: str) -> int:
    from configs import SEARCH_PATH
    from ding_lite.config import ConfigError
    from ding_lite.envs.managers.base import EnvFailure
    from ding_lite.pipeline import interrupts, load_pipeline
    from ding_lite.utils.checkpoint_io import CheckpointError

    try:
        pipeline = load_pipeline(args.config, SEARCH_PATH, seed=args.seed, max_env_step=args.max_env_step,
                                 max_train_iter=args.max_train_iter, resume=args.resume,
                                 default_policy=default_policy, wandb_project=args.wandb)
    except (ConfigError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    resume = f"python -m {prog} -c {shlex.quote(pipeline.config_path)} --resume "
    from ding_lite.utils.faults import RunFault

    try:
        pipeline.run(console=sys.stdout)
    except RunFault as exc:  # a full disk, a non-finite value: the sentence names the checkpoint to resume from
        then = "" if "no checkpoint was written" in str(exc) else f"; resume with: {resume}{shlex.quote(str(pipeline.run_dir))}"
        print(f"error: {exc}{then}", file=sys.stderr, flush=True)
        return 1
    except EnvFailure as exc:
        from ding_lite.pipeline.layout import newest_in_run

        newest = newest_in_run(pipeline.run_dir)
        then = (f"its newest complete checkpoint is {newest}; resume with: {resume}{shlex.quote(str(pipeline.run_dir))}"
                if newest else "it had written no checkpoint yet")
        print(f"error: {exc} The run stopped; {then}", file=sys.stderr, flush=True)
        return 1
    run_dir = pipeline.run_dir
    status, curves = 0, None
    if args.plot is not None:
        from ding_lite.utils.plot import PlotError, plot_runs

        try:
            curves = plot_runs([run_dir], Path(args.plot or run_dir / "curves.png"))
        except PlotError as exc:
            print(f"error: --plot: {exc}", file=sys.stderr)
            status = 1
    from entry.run_summary import summary_lines

    print("\n".join(summary_lines(pipeline, curves)))
    print(f"Stopped: {pipeline.stop_reason} at envstep {pipeline.collector.envstep:,}, "
          f"train_iter {pipeline.learner.train_iter:,} ({pipeline.wall_seconds:.1f} s). "
          f"Experiment: {run_dir}. TensorBoard: tensorboard --logdir {run_dir / 'log'}", flush=True)
    if pipeline.interrupted:
        print(f"Resume with: {resume}{shlex.quote(str(run_dir))}", flush=True)
        return interrupts.EXIT_INTERRUPTED
    return status
