"""Evaluation videos as mp4 files, written frame by frame through imageio-ffmpeg.

Why imageio-ffmpeg: its wheels bundle a static ffmpeg binary (no system ffmpeg, no compiler), it streams
frames to that binary through a pipe (an episode is never held in memory: a Pong game is ~100 KB a frame),
and it starts ffmpeg in its own process group, so a Ctrl-C or a cluster's SIGTERM to our process group
reaches the run (which saves and exits cleanly) and not the encoder. Each file is written under a temporary
name and renamed when complete, so a killed run never leaves a truncated ``.mp4`` behind a real name.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ding_lite.config.errors import ConfigError

VIDEO_INSTALL = "pip install -e \".[video]\""


def require_video(culprit: str) -> None:
    """ConfigError (one sentence naming ``culprit``) when the video extra is not installed.

    Also points pygame (classic control, Box2D) at its off-screen driver: frames are drawn, never shown.
    """
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise ConfigError(f"{culprit} records evaluation videos, which needs the video extra "
                          f"(imageio-ffmpeg is not installed): {VIDEO_INSTALL}") from None


class VideoFile:
    """One mp4 being written; the frame size is taken from the first frame."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = fps
        self.frames = 0
        self._partial = self.path.with_name(f".{self.path.stem}.partial.mp4")
        self._writer: Any = None

    def add(self, frame: np.ndarray) -> None:
        if self._writer is None:
            import imageio_ffmpeg

            self.path.parent.mkdir(parents=True, exist_ok=True)
            height, width = frame.shape[:2]
            self._writer = imageio_ffmpeg.write_frames(str(self._partial), (width, height), fps=self.fps,
                                                       macro_block_size=2, ffmpeg_log_level="error",
                                                       output_params=["-preset", "ultrafast"])
            self._writer.send(None)  # start ffmpeg
        self._writer.send(np.ascontiguousarray(frame, dtype=np.uint8))
        self.frames += 1

    def close(self, path: Path | None = None) -> Path | None:
        """Finish the file and give it its name (``path`` when given); None when no frame was added."""
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        final = Path(path) if path is not None else self.path
        os.replace(self._partial, final)
        return final

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._partial.unlink(missing_ok=True)


def count_frames(path: str | Path) -> int:
    """Frames in a video file, as ffmpeg decodes them (tests and benches read videos back with it)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]
