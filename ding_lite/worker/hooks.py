"""The hook registry through which workers, built-in behaviours and user code meet.

Positions: ``before_run``, ``before_iter``, ``after_iter``, ``after_run`` (learner), ``after_collect``
(collector) and ``after_eval`` (evaluator). Hooks run in ascending priority; a hook with ``freq``
fires at learner positions when ``train_iter % freq == 0`` and elsewhere on every freq-th call.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ding_lite.envs.managers.base import EnvFailure
from ding_lite.utils.faults import RunFault

POSITIONS = ("before_run", "before_iter", "after_iter", "after_run", "after_collect", "after_eval")
ITER_POSITIONS = ("before_iter", "after_iter")
SESSION_POSITIONS = ("before_run", "after_run")


class HookError(RuntimeError):
    """A hook raised; the message names the hook and its position."""


@dataclass
class RunContext:
    """What hooks may read: counters and the latest outputs of the workers.

    ``cycle_start_iter``/``cycle_end`` tell hooks whether the learner is between two collects, the
    only moment at which the whole run state is consistent enough to checkpoint.
    """

    train_iter: int = 0
    envstep: int = 0
    cycle_start_iter: int = 0
    cycle_end: bool = False
    log_vars: dict[str, float] = field(default_factory=dict)
    eval_result: dict[str, Any] = field(default_factory=dict)
    collect_info: dict[str, Any] = field(default_factory=dict)
    stop_requested: str = ""

    def request_stop(self, reason: str) -> None:
        """Lets a hook end the run cleanly at the end of the current cycle (final checkpoint included)."""
        self.stop_requested = reason


class Hook:
    """A named callable; subclass and override ``run`` or wrap a function with ``fn``."""

    def __init__(self, name: str, fn: Callable[[RunContext], None] | None = None,
                 priority: int = 100, freq: int | None = None) -> None:
        if freq is not None and freq < 1:
            raise ValueError(f"hook '{name}' frequency must be >= 1, got {freq}.")
        self.name = name
        self.priority = priority
        self.freq = freq
        self._fn = fn

    def run(self, ctx: RunContext) -> None:
        if self._fn is None:
            raise NotImplementedError(f"hook '{self.name}' has no function to run.")
        self._fn(ctx)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, priority={self.priority}, freq={self.freq})"


class HookRegistry:
    def __init__(self) -> None:
        self._hooks: dict[str, list[Hook]] = {p: [] for p in POSITIONS}
        self._calls: dict[str, int] = {p: 0 for p in POSITIONS}

    def register(self, position: str, hook: Hook | Callable[[RunContext], None],
                 priority: int | None = None, freq: int | None = None) -> Hook:
        """Accepts a Hook or a plain function (named after the function)."""
        if position not in self._hooks:
            raise ValueError(f"unknown hook position '{position}'; positions are {', '.join(POSITIONS)}.")
        if not isinstance(hook, Hook):
            hook = Hook(getattr(hook, "__name__", "hook"), hook)
        if priority is not None:
            hook.priority = priority
        if freq is not None:
            hook.freq = freq
        hooks = self._hooks[position]
        hooks.append(hook)
        hooks.sort(key=lambda h: h.priority)  # stable: equal priorities keep registration order
        return hook

    def state_dict(self) -> dict:
        """Call counts drive frequencies at non-iteration positions, so they are part of the run state.

        Once-per-session positions are left out: a run stopped and resumed calls them once more than an
        uninterrupted one, and its checkpoints must not differ for it.
        """
        return {p: n for p, n in self._calls.items() if p not in SESSION_POSITIONS}

    def load_state_dict(self, state: dict) -> None:
        self._calls.update({p: int(n) for p, n in state.items() if p in self._calls})

    def hooks(self, position: str) -> list[Hook]:
        return list(self._hooks[position])

    def call(self, position: str, ctx: RunContext) -> None:
        hooks = self._hooks[position]
        if not hooks:
            return
        self._calls[position] += 1
        count = ctx.train_iter if position in ITER_POSITIONS else self._calls[position]
        for hook in hooks:
            if hook.freq is not None and count % hook.freq:
                continue
            try:
                hook.run(ctx)
            except (HookError, EnvFailure, RunFault):
                raise
            except Exception as exc:
                raise HookError(f"hook '{hook.name}' at {position} failed: {type(exc).__name__}: {exc}") from exc


class LoadCkptHook(Hook):
    """before_run: hand the (already validated) checkpoint to the entry's restore function."""

    def __init__(self, checkpoint: dict, restore: Callable[[dict], None]) -> None:
        super().__init__("load_ckpt_before_run", priority=20)
        self._checkpoint = checkpoint
        self._restore = restore

    def run(self, ctx: RunContext) -> None:
        self._restore(self._checkpoint)


class SaveCkptHook(Hook):
    """after_iter: save once the learner's cycle has crossed a multiple of ``every`` train iterations.

    Saving waits for the end of the update cycle so the file holds a state the run can continue from
    exactly; its name is the train_iter it holds.
    """

    def __init__(self, every: int, save: Callable[[RunContext], None]) -> None:
        super().__init__("save_ckpt_after_iter", priority=80)
        self.every = every
        self._save = save

    def run(self, ctx: RunContext) -> None:
        if ctx.cycle_end and ctx.train_iter // self.every > ctx.cycle_start_iter // self.every:
            self._save(ctx)


class SaveCkptEverySecondsHook(Hook):
    """after_iter: save at the first cycle end ``seconds`` after the last save (or the session's start).

    For preemptible machines: a bound on the work lost to a kill that gives no warning. Cycle ends are the
    same consistent points the iteration-count saves use, so a timed checkpoint resumes bit for bit; what
    it holds never depends on when it was taken, only the choice of iterations does.
    """

    def __init__(self, seconds: float, save: Callable[[RunContext], None], last_save: Callable[[], float]) -> None:
        super().__init__("save_ckpt_every_seconds", priority=81)
        self.seconds = seconds
        self._save = save
        self._last_save = last_save

    def run(self, ctx: RunContext) -> None:
        if ctx.cycle_end and time.monotonic() - self._last_save() >= self.seconds:
            self._save(ctx)


class SaveCkptAfterRunHook(Hook):
    def __init__(self, save: Callable[[RunContext], None]) -> None:
        super().__init__("save_ckpt_after_run", priority=80)
        self._save = save

    def run(self, ctx: RunContext) -> None:
        self._save(ctx)


class LogShowHook(Hook):
    """after_iter: every ``freq`` iterations, one text-log line with the learner's latest values."""

    def __init__(self, freq: int, write: Callable[[str], None]) -> None:
        super().__init__("log_show_after_iter", priority=75, freq=freq)
        self._write = write

    def run(self, ctx: RunContext) -> None:
        values = " ".join(f"{k}={v:.4g}" for k, v in ctx.log_vars.items())
        self._write(f"train_iter={ctx.train_iter} envstep={ctx.envstep} {values}")


class CycleMeanHook(Hook):
    """after_iter: average the learner's values over one update cycle and report them at its end.

    Writing per cycle instead of per update keeps logging off the per-iteration path. It runs before
    the checkpoint hooks so that a checkpoint covers everything logged up to it.
    """

    def __init__(self, report: Callable[[str, dict[str, float]], None]) -> None:
        """``report(prefix, values)`` is the channel collector and evaluator write through too."""
        super().__init__("learner_tensorboard", priority=70)
        self._report = report
        self._sums: dict[str, float] = {}
        self._count = 0

    def run(self, ctx: RunContext) -> None:
        for key, value in ctx.log_vars.items():
            self._sums[key] = self._sums.get(key, 0.0) + value
        self._count += 1
        if ctx.cycle_end:
            self._report("learner", {k: v / self._count for k, v in self._sums.items()})
            self._sums, self._count = {}, 0
