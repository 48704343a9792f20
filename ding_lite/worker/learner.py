"""Learner: runs the policy's gradient updates and the learner hooks around each one."""
from __future__ import annotations

from typing import Any

from ding_lite.config.keys import IGNORED, LITE, SILENT, Key
from ding_lite.config.rules import non_negative, positive
from ding_lite.worker.hooks import HookRegistry, RunContext

KEYS = dict(
    hook=dict(
        load_ckpt_before_run=Key("", "checkpoint to start from ('' for none)", resume=SILENT),
        save_ckpt_after_iter=Key(10000, "save a checkpoint every N train iterations (0 disables)", non_negative,
                                 resume=SILENT),
        save_ckpt_every_seconds=Key(0.0, "also save at the first cycle end N seconds after the last save (0 disables)",
                                    non_negative, resume=SILENT, di=LITE),
        save_ckpt_after_run=Key(True, "save a final checkpoint when the run ends", resume=SILENT),
        log_show_after_iter=Key(100, "a text-log line every N train iterations", positive, resume=SILENT),
    ),
    load_path=Key(None, "in DI-engine's data-generation files; its learner reads hook.load_ckpt_before_run only",
                  di=IGNORED),
    max_ckpt_keep=Key(5, "periodic checkpoints kept on disk (best and final are never pruned; 0 keeps all)",
                      non_negative, resume=SILENT, di=LITE),
)
"""``policy.learn.learner``: DI-engine's BaseLearner keys."""


class Learner:
    """``train_iter`` counts gradient updates; one ``train`` call is one update cycle over a collect's data."""

    def __init__(self, policy: Any, hooks: HookRegistry, ctx: RunContext) -> None:
        self.policy = policy
        self.hooks = hooks
        self.ctx = ctx
        self.train_iter = 0

    def train(self, data: Any) -> None:
        ctx, hooks = self.ctx, self.hooks
        ctx.cycle_start_iter = self.train_iter
        ctx.cycle_end = False
        batches = iter(self.policy.train_batches(data))
        batch = next(batches, None)
        while batch is not None:
            ctx.train_iter = self.train_iter
            hooks.call("before_iter", ctx)
            ctx.log_vars = self.policy.learn_step(batch)
            self.train_iter += 1
            batch = next(batches, None)
            ctx.train_iter = self.train_iter
            ctx.cycle_end = batch is None
            hooks.call("after_iter", ctx)
        ctx.cycle_end = False

    def state_dict(self) -> dict:
        return {"train_iter": self.train_iter}

    def load_state_dict(self, state: dict) -> None:
        self.train_iter = int(state["train_iter"])
        self.ctx.train_iter = self.train_iter
