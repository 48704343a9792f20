"""Progress of a training session: every evaluation as a line in the run's log and, when the CLI asks
for a console, a live status line on a terminal or plain lines anywhere else.

The pipeline calls ``update`` once per collect-train cycle (never per env step) and ``eval_line``
after each evaluation. On a terminal one line is redrawn in place (at most every
``REDRAW_SECONDS`` between evaluations, so it costs one clock read per cycle) and only new best
evaluations scroll. When stdout is not a terminal (CI, pipes, ``nohup``) nothing uses ``\\r``:
each evaluation prints one line, and a long stretch without one prints a status line, so logs
stay readable and show the run is alive.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import Any, TextIO

REDRAW_SECONDS = 0.25  # terminal: redraw the live line at most four times a second
PLAIN_SECONDS = 30.0  # no terminal: a status line when nothing was printed for this long
CLEAR_TO_END = "\x1b[K"


def format_duration(seconds: float) -> str:
    """3s, 4m05s, 2h10m: short enough for a status line."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """Counts, speed and ETA of one training session (a resumed run's speed starts from the resume)."""

    def __init__(self, cfg: dict, start_envstep: int, log: Callable[[str], None],
                 stream: TextIO | None = None) -> None:
        self.max_env_step = cfg["max_env_step"]
        self.max_train_iter = cfg["max_train_iter"]
        self.stop_value = cfg["env"]["stop_value"]
        self.start_envstep = start_envstep
        self.start = time.perf_counter()
        self.log = log
        self.stream = stream  # None: a library run prints nothing, the run's log still gets every evaluation
        self.live = stream is not None and stream.isatty()
        self.iter_mark: tuple[int, float] | None = None  # first train_iter seen and when: the iteration rate
        self.last_return: float | None = None
        self.best_return: float | None = None
        self.last_print = self.start
        self.drawn = False

    # ----------------------------------------------------------------- numbers

    def steps_per_sec(self, envstep: int) -> float:
        return (envstep - self.start_envstep) / max(time.perf_counter() - self.start, 1e-9)

    def _mark_iter(self, train_iter: int) -> None:
        if self.iter_mark is None:
            self.iter_mark = (train_iter, time.perf_counter())

    def _iters_per_sec(self, train_iter: int) -> float:
        self._mark_iter(train_iter)
        first, since = self.iter_mark
        return (train_iter - first) / max(time.perf_counter() - since, 1e-9)

    def eta(self, train_iter: int, envstep: int) -> float | None:
        """Seconds until the first horizon (max_env_step or max_train_iter) is reached; None if unknown."""
        etas = []
        if self.max_env_step and envstep > self.start_envstep:
            etas.append(max(self.max_env_step - envstep, 0) / self.steps_per_sec(envstep))
        if self.max_train_iter:
            rate = self._iters_per_sec(train_iter)
            if rate > 0:
                etas.append(max(self.max_train_iter - train_iter, 0) / rate)
        return min(etas) if etas else None

    def _counters(self, train_iter: int, envstep: int) -> str:
        env = f"envstep {envstep:,}" + (f"/{self.max_env_step:,}" if self.max_env_step else "")
        it = f"train_iter {train_iter:,}" + (f"/{self.max_train_iter:,}" if self.max_train_iter else "")
        return f"{env} | {it}"

    def _speed_eta(self, train_iter: int, envstep: int) -> str:
        if envstep <= self.start_envstep:
            return "starting"
        text = f"{self.steps_per_sec(envstep):,.0f} env steps/s"
        eta = self.eta(train_iter, envstep)
        return text + (f" | ETA {format_duration(eta)}" if eta is not None else "")

    def status(self, train_iter: int, envstep: int) -> str:
        """The live line: shorter than an eval line so it fits a narrow terminal."""
        parts = [f"envstep {envstep:,}" + (f"/{self.max_env_step:,}" if self.max_env_step else ""),
                 f"iter {train_iter:,}" + (f"/{self.max_train_iter:,}" if self.max_train_iter else "")]
        if self.last_return is None:
            parts.append("eval -")
        else:
            parts.append(f"eval {self.last_return:.1f} (best {self.best_return:.1f})")
        if not (self.max_env_step or self.max_train_iter) and self.stop_value is not None:
            parts.append(f"until {self.stop_value:g}")
        if envstep > self.start_envstep:
            parts.append(f"{self.steps_per_sec(envstep):,.0f} steps/s")
            eta = self.eta(train_iter, envstep)
            if eta is not None:
                parts.append(f"ETA {format_duration(eta)}")
        return " | ".join(parts)

    # ----------------------------------------------------------------- output

    def _draw(self, text: str) -> None:
        width = shutil.get_terminal_size().columns - 1  # a wrapped line could not be redrawn with \r
        self.stream.write(f"\r{text[:width]}{CLEAR_TO_END}")
        self.stream.flush()
        self.drawn = True

    def _print(self, line: str) -> None:
        if self.stream is None:
            return
        if self.drawn:
            self.stream.write(f"\r{CLEAR_TO_END}")
        print(line, file=self.stream, flush=True)
        self.last_print = time.perf_counter()

    def update(self, train_iter: int, envstep: int) -> None:
        """Once per collect-train cycle: redraw the live line, or print a plain one after a long silence."""
        self._mark_iter(train_iter)
        now = time.perf_counter()
        if self.live:
            if now - self.last_print >= REDRAW_SECONDS:
                self._draw(self.status(train_iter, envstep))
                self.last_print = now
        elif now - self.last_print >= PLAIN_SECONDS:
            self._print(self.status(train_iter, envstep))

    def eval_line(self, train_iter: int, envstep: int, evaluator: Any) -> None:
        """Every evaluation goes to the run's text log and, without a terminal, to stdout as a line.

        On a terminal only a new best becomes a permanent line; other evaluations refresh the live
        line, so a long run with frequent evaluations does not scroll the screen away.
        """
        self._mark_iter(train_iter)
        improved = self.best_return is None or evaluator.best_return > self.best_return
        self.last_return, self.best_return = evaluator.last_return, evaluator.best_return
        line = (f"{self._counters(train_iter, envstep)} | eval return {evaluator.last_return:.1f} "
                f"(best {evaluator.best_return:.1f}) | {self._speed_eta(train_iter, envstep)}")
        self.log(line)
        if not self.live or improved:
            self._print(line)
        if self.live:
            self._draw(self.status(train_iter, envstep))

    def close(self) -> None:
        """Clear the live line so what is printed next starts on a clean line."""
        if self.drawn:
            self.stream.write(f"\r{CLEAR_TO_END}")
            self.stream.flush()
            self.drawn = False
