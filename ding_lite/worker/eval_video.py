"""Records an evaluation's episodes while the evaluator plays them (DI-engine's ``env.replay_path``).

The frames come from the evaluator's own envs (built with ``render_mode='rgb_array'``), rendered before each
action: an episode of length T gives exactly T frames, the first after its reset, and an env that the same-step
autoreset has already moved to its next episode starts that episode's file. Rendering reads the simulator's
state and draws no random number, so what the run trains and reports is the same with videos on or off.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ding_lite.utils.video import VideoFile


class EvalVideos:
    """One mp4 per evaluation episode: ``DIR/iteration_{train_iter}_envstep_{envstep}_episode_{k}.mp4``.

    ``k`` counts episodes in the order they end, the order the evaluator reports their returns in. Which
    evaluations: every one (``every``: DI-engine's ``env.replay_path``), else those due by DI-engine's
    ``policy.eval.evaluator.render`` rule (``render_freq`` train_iter or envstep since the last recorded one).
    ``directory`` None: the pipeline names it when the run dir exists.
    """

    def __init__(self, directory: str | Path | None, fps: float, every: bool = True, render_freq: int = -1,
                 mode: str = "train_iter") -> None:
        self.directory = Path(directory) if directory is not None else None
        self.fps = fps
        self.every, self.render_freq, self.mode = every, render_freq, mode
        self.last_render_iter = -1
        """DI-engine's ``_last_render_iter``: part of the evaluator's saved state."""
        self.written: list[Path] = []
        """The files of the newest evaluation."""
        self._stem = ""
        self._files: dict[int, VideoFile] = {}

    def due(self, train_iter: int, envstep: int) -> bool:
        """Whether this evaluation is recorded (DI-engine's ``_should_render``, or every one)."""
        self.written = []
        at = envstep if self.mode == "envstep" else train_iter
        if self.render_freq > 0 and at - self.last_render_iter >= self.render_freq:
            self.last_render_iter = at
            return True
        return self.every

    def begin(self, train_iter: int, envstep: int) -> None:
        self._stem = f"iteration_{train_iter}_envstep_{envstep}"
        self._files = {}
        self.written = []

    def frames(self, frames: Sequence[np.ndarray], active: np.ndarray) -> None:
        for i in np.flatnonzero(active):
            if i not in self._files:
                self._files[i] = VideoFile(self.directory / f"{self._stem}_env{i}.mp4", self.fps)
            self._files[i].add(frames[i])

    def episode_end(self, i: int) -> None:
        video = self._files.pop(i, None)
        if video is not None:
            k = len(self.written) + 1
            path = video.close(self.directory / f"{self._stem}_episode_{k}.mp4")
            if path is not None:
                self.written.append(path)

    def finish(self) -> None:
        """Drops what an interrupted evaluation left unfinished (no episode ended, no file)."""
        for video in self._files.values():
            video.discard()
        self._files = {}
