"""What the CLI prints when a run ends: why it stopped, the best eval and where everything is."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ding_lite.pipeline import SerialPipeline


def summary_lines(pipeline: SerialPipeline, curves: Path | None = None) -> list[str]:
    """End-of-run table: why it stopped, the best eval and where, counts, time, and where things are."""
    from ding_lite.pipeline.layout import BEST_CKPT, CKPT_DIR, LOG_DIR, newest_in_run
    from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint

    run_dir = pipeline.run_dir
    envstep, train_iter = pipeline.collector.envstep, pipeline.learner.train_iter
    best_path = run_dir / CKPT_DIR / BEST_CKPT
    best = "no evaluation improved on the start"
    if best_path.exists():
        try:  # the file enjoy loads, so the numbers shown are the ones it will play
            ckpt = load_checkpoint(str(best_path))
            best = (f"{ckpt['evaluator']['best_return']:.1f} at envstep {ckpt['envstep']:,}, "
                    f"train_iter {ckpt['train_iter']:,} ({best_path.relative_to(run_dir)})")
        except CheckpointError as exc:
            best = f"unreadable: {exc}"
    session = envstep - pipeline.progress.start_envstep
    seconds = pipeline.wall_seconds
    rows = [
        ("stopped because", pipeline.stop_reason),
        ("best eval return", best),
        ("env steps", (f"{envstep:,} in total, train_iter {train_iter:,}; this session {session:,} in "
                       f"{seconds:.1f} s ({session / max(seconds, 1e-9):,.0f} env steps/s)")),
        ("experiment", str(run_dir)),
        ("resume from", str(newest_in_run(run_dir) or "no checkpoint was written")),
    ]
    if curves is not None:
        rows.append(("curves", str(curves)))
    rows.append(("TensorBoard", f"tensorboard --logdir {run_dir / LOG_DIR}"))
    if pipeline.wandb is not None and not pipeline.wandb.failed:
        run_id, wandb_dir = pipeline.wandb_run_id, run_dir / LOG_DIR / "wandb"
        rows.append(("W&B", f"run {run_id} (offline: wandb sync {wandb_dir}/offline-run-*-{run_id})"))
    width = max(len(label) for label, _ in rows) + 2
    return ["Run summary:"] + [f"  {label:<{width}}{value}" for label, value in rows]
