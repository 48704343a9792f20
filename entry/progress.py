"""Console progress: one short line per evaluation, never a flood."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Progress:
    def __init__(self, cfg: dict, start_envstep: int, log: Callable[[str], None]) -> None:
        self.max_env_step = cfg["max_env_step"]
        self.start_envstep = start_envstep
        self.start = time.perf_counter()
        self.log = log

    def steps_per_sec(self, envstep: int) -> float:
        return (envstep - self.start_envstep) / max(time.perf_counter() - self.start, 1e-9)

    def eval_line(self, train_iter: int, envstep: int, evaluator: Any) -> None:
        horizon = f"/{self.max_env_step:,}" if self.max_env_step else ""
        speed = f"{self.steps_per_sec(envstep):,.0f} env steps/s" if envstep > self.start_envstep else "starting"
        line = (f"envstep {envstep:,}{horizon} | train_iter {train_iter:,} | eval return "
                f"{evaluator.last_return:.1f} (best {evaluator.best_return:.1f}) | {speed}")
        print(line, flush=True)
        self.log(line)
