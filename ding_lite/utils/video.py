"""Evaluation videos as mp4 files (H.264), encoded frame by frame in this process with PyAV.

Why PyAV: its wheels bundle FFmpeg's libraries with libx264 (no system ffmpeg, no compiler), and it encodes
in-process, frame by frame, so an episode is never held in memory (a Pong game is ~100 KB a frame) and no
encoder process is started per episode (imageio-ffmpeg's pipe to an ffmpeg binary was measured at ~0.3 s per
episode to start from a torch-sized process on 2 cores, most of a short CartPole evaluation's cost) or
reached by a signal sent to the run's process group. Each file is written under a temporary name and renamed
when complete, so a killed run never leaves a truncated ``.mp4`` behind a real name.
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
        import av  # noqa: F401
    except ImportError:
        raise ConfigError(f"{culprit} records evaluation videos, which needs the video extra "
                          f"(PyAV is not installed): {VIDEO_INSTALL}") from None


class VideoFile:
    """One mp4 being written; the frame size is taken from the first frame."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = fps
        self.frames = 0
        self._partial = self.path.with_name(f".{self.path.stem}.partial.mp4")
        self._writer: Any = None

    def add(self, frame: np.ndarray) -> None:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        height, width = frame.shape[:2]
        if height % 2 or width % 2:  # H.264's 4:2:0 colour needs even sides: repeat the last row/column
            frame = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
        if self._writer is None:
            self._writer = self._open(frame.shape[1], frame.shape[0])
        container, stream = self._writer
        import av

        for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
            container.mux(packet)
        self.frames += 1

    def _open(self, width: int, height: int) -> tuple[Any, Any]:
        from fractions import Fraction

        import av

        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self._partial), mode="w", format="mp4")
        stream = container.add_stream("libx264", rate=Fraction(self.fps).limit_denominator(1000))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        stream.codec_context.thread_count = 1  # one core per video: training keeps the others
        return container, stream

    def _finish(self) -> None:
        container, stream = self._writer
        self._writer = None
        for packet in stream.encode():  # flush the encoder's delayed frames
            container.mux(packet)
        container.close()

    def close(self, path: Path | None = None) -> Path | None:
        """Finish the file and give it its name (``path`` when given); None when no frame was added."""
        if self._writer is None:
            return None
        self._finish()
        final = Path(path) if path is not None else self.path
        os.replace(self._partial, final)
        return final

    def discard(self) -> None:
        if self._writer is not None:
            self._finish()
            self._partial.unlink(missing_ok=True)


def count_frames(path: str | Path) -> int:
    """Frames in a video file, decoded (tests and benches read videos back with it)."""
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def write_gif(frames: list[np.ndarray], path: str) -> None:
    """An animated GIF at half size (``serial_eval --gif``; pillow, which matplotlib already brings)."""
    from PIL import Image

    images = [Image.fromarray(f).resize((f.shape[1] // 2, f.shape[0] // 2)) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=40, loop=0)
