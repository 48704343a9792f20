"""DI-engine's ``collect.collector.collect_print_freq``: a collector line in the run's log every N train iterations.

DI-engine's sample collector writes its episode figures (episodes, env steps, mean return since its last line)
to its text log once ``train_iter`` has advanced ``collect_print_freq`` past the last line and an episode has
ended since; ding_lite writes the same line into ``train.log`` at the same cadence (its TensorBoard collector
curves are written every collect, as before). The line's cadence restarts with each session of a resumed run.
"""
from __future__ import annotations

from collections.abc import Callable

from ding_lite.worker.hooks import Hook, RunContext


class CollectPrintHook(Hook):
    """An ``after_collect`` hook: weighted mean return of the episodes ended since the last line."""

    def __init__(self, freq: int, write: Callable[[str], None]) -> None:
        super().__init__("collect_print", priority=90)
        self.print_freq, self.write = freq, write
        self.last_iter, self.last_count, self.episodes, self.return_sum = 0, 0, 0, 0.0

    def start(self, train_iter: int, episode_count: int) -> None:
        """Where this session begins (a resumed run's counters)."""
        self.last_iter, self.last_count = train_iter, episode_count

    def run(self, ctx: RunContext) -> None:
        info = ctx.collect_info
        count = int(info.get("episode_count", self.last_count))
        new, self.last_count = count - self.last_count, count
        if new > 0 and "reward_mean" in info:
            self.episodes += new
            self.return_sum += info["reward_mean"] * new
        if ctx.train_iter - self.last_iter >= self.print_freq and self.episodes:
            self.write(f"collector: train_iter {ctx.train_iter:,}, envstep {ctx.envstep:,}: {self.episodes} "
                       f"episodes since the last line, mean return {self.return_sum / self.episodes:.3f}")
            self.last_iter, self.episodes, self.return_sum = ctx.train_iter, 0, 0.0
