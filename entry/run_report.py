"""What a run tells its user besides curves: its config for TensorBoard and its end-of-run summary."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entry.pipeline import SerialPipeline


def flat_items(tree: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, leaf value) pairs in the config's own order."""
    items: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            items += flat_items(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def config_markdown(cfg: dict) -> str:
    """The compiled config as a two-column markdown table for TensorBoard's text dashboard.

    One row per dotted key, so two runs' configs can be compared row by row side by side there.
    """
    rows = ["| key | value |", "|---|---|"]
    for key, value in flat_items(cfg):
        cell = repr(value).replace("|", "\\|")  # a bare pipe would end the table cell
        rows.append(f"| `{key}` | `{cell}` |")
    return "\n".join(rows)


def summary_lines(pipeline: SerialPipeline, curves: Path | None = None) -> list[str]:
    """End-of-run table: why it stopped, the best eval and where, counts, time, and where things are."""
    from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint
    from entry.run_dirs import BEST_CKPT, CKPT_DIR, LOG_DIR, newest_in_run

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
    width = max(len(label) for label, _ in rows) + 2
    return ["Run summary:"] + [f"  {label:<{width}}{value}" for label, value in rows]
