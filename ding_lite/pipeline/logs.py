"""Where a run's curves go: TensorBoard always, Weights & Biases when asked, through one report channel."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ding_lite.config.save import checkpoint_config
from ding_lite.pipeline.layout import LOG_DIR, TB_SUBDIR
from ding_lite.utils.tensorboard.records import scalar_points
from ding_lite.utils.wandb_run import WandbRun, new_run_id, open_wandb


class RunLogs:
    """Mixed into SerialPipeline: the report channel, its flushes, and the run's W&B session."""

    cfg: dict
    run_dir: Path
    checkpoint: dict | None
    resuming: bool
    ctx: Any
    writer: Any
    videos: Any
    wandb: WandbRun | None = None
    wandb_run_id: str | None = None

    def _report(self, prefix: str, values: dict[str, float]) -> None:
        """The one channel through which collector, evaluator and learner write their curves."""
        ctx, writer = self.ctx, self.writer
        for key, value in values.items():
            writer.add_scalar(f"{prefix}_iter/{key}", value, ctx.train_iter)
            writer.add_scalar(f"{prefix}_step/{key}", value, ctx.envstep)
        if self.wandb is not None:
            self.wandb.add(prefix, values, ctx.train_iter, ctx.envstep)

    def _flush_logs(self) -> None:
        """Curves appear in TensorBoard (and W&B, with the eval's videos) at every eval, not only at checkpoints."""
        self.writer.flush()
        if self.wandb is not None:
            for path in self.videos.written[:1] if self.videos else []:
                self.wandb.add_video(path, self.ctx.train_iter, self.ctx.envstep)
            self.wandb.flush()

    def _open_wandb(self, say: Callable[[str], None]) -> None:
        """W&B when asked (``wandb.project`` or ``--wandb``); a resumed run continues the W&B run it started."""
        self.wandb_run_id = (self.checkpoint or {}).get("wandb_run_id") if self.resuming else None
        wandb_cfg = self.cfg["wandb"]
        if wandb_cfg["project"]:
            self.wandb_run_id = self.wandb_run_id or new_run_id()
            self.writer.flush()
            resumed = scalar_points(str(self.run_dir / LOG_DIR / TB_SUBDIR)) if self.resuming else None
            self.wandb = open_wandb(wandb_cfg["project"], wandb_cfg["entity"], self.run_dir, self.wandb_run_id,
                                    checkpoint_config(self.cfg), resumed, say)
