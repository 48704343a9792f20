"""Learner: runs the policy's gradient updates and the learner hooks around each one."""
from __future__ import annotations

from typing import Any

from ding_lite.worker.hooks import HookRegistry, RunContext


def default_config() -> dict:
    return dict(
        hook=dict(
            load_ckpt_before_run="",  # checkpoint to start from ('' for none)
            save_ckpt_after_iter=10000,  # save every N train iterations (0 disables)
            # ding_lite only: also save at the first cycle end N seconds after the last save (0 disables)
            save_ckpt_every_seconds=0.0,
            save_ckpt_after_run=True,  # save a final checkpoint when the run ends
            log_show_after_iter=100,  # text-log line every N train iterations
        ),
        load_path=None,  # in DI-engine's data-generation files; its learner reads hook.load_ckpt_before_run only
        max_ckpt_keep=5,  # periodic checkpoints kept on disk (best and final are never pruned; 0 keeps all)
    )


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
