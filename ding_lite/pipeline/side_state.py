"""A checkpoint's side state (the replay buffer): saved incrementally with it, restored on resume, pruned with it.

Each save asks every side object for a manifest (:meth:`ReplayBuffer.save_segments`), which writes the new
segment file ``ckpt/<name>.<first>-<end>.seg`` first; the manifest then goes inside the checkpoint, so a checkpoint that
exists always lists exactly the segments it needs, and a kill -9 before it completes leaves only unlisted
files. Segment files are shared by every checkpoint that lists them; after each save the files that no kept
checkpoint (periodic, best, final) lists, nor the buffer in memory, are deleted. Checkpoints written before
incremental saves keep their ``iteration_N.<name>.pth.tar`` side files, which still load and are pruned with
their checkpoint.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ding_lite.data.buffer_segments import check_segments, listed_segments, remove_unlisted
from ding_lite.pipeline.layout import BEST_CKPT
from ding_lite.utils.checkpoint_io import list_iteration_checkpoints


def side_file(ckpt: Path, name: str) -> Path:
    """``iteration_N.pth.tar`` -> ``iteration_N.{name}.pth.tar`` beside it (the whole-buffer format)."""
    return ckpt.with_name(ckpt.name.replace(".pth.tar", f".{name}.pth.tar"))


def check_side_files(ckpt: dict, ckpt_path: Path) -> None:
    """The segment files a checkpoint to resume lists are all there and whole (before any file changes)."""
    for manifest in (ckpt.get("side_state") or {}).values():
        check_segments(manifest, str(ckpt_path.parent), str(ckpt_path))


class SideState:
    """The side objects of one run (``policy.side_state()``) and their files in ``ckpt_dir``."""

    def __init__(self, ckpt_dir: Path, sides: dict[str, Any], log: Callable[[str], None],
                 note: Callable[[str], None]) -> None:
        self.ckpt_dir, self.sides, self.log, self.note = ckpt_dir, sides, log, note
        self._listed: dict[str, tuple[tuple, dict[str, set[str]] | None]] = {}  # checkpoint -> (stat, its lists)
        self._said_off = False

    def save(self, enabled: bool) -> dict[str, dict]:
        """Write what changed since the last save; the manifests to put into the checkpoint."""
        if not self.sides:
            return {}
        if not enabled:
            if not self._said_off:
                self._said_off = True
                self.note(f"checkpoints of this run do not keep the {self._label()} "
                          "(policy.other.replay_buffer.save_with_ckpt=False): a resume starts with it empty")
            return {}
        self.prune()  # first: a file left by a save that was killed is not listed and may be rewritten
        return {name: side.save_segments(str(self.ckpt_dir), name) for name, side in self.sides.items()}

    def restore(self, ckpt: dict, ckpt_path: Path, enabled: bool) -> None:
        saved = ckpt.get("side_state") or {}
        for name, side in self.sides.items():
            label, old = name.replace("_", " "), side_file(ckpt_path, name)
            if not enabled and (name in saved or old.exists()):
                self.note(f"{label} of this checkpoint is not loaded (policy.other.replay_buffer.save_with_ckpt="
                          f"False): {side.missing_note}")
            elif name in saved:
                side.load_segments(saved[name], str(ckpt_path.parent), str(ckpt_path))
                self.log(f"{label} restored from {ckpt_path} and its {len(saved[name]['segments'])} segment files "
                         f"({len(side):,} transitions)")
            elif old.exists():
                side.load(str(old))
                self.log(f"{label} restored from {old} ({len(side):,} transitions)")
            else:
                self.note(f"{label} was not saved with this checkpoint: {side.missing_note}")

    def prune(self, removed_checkpoints: tuple[str, ...] = ()) -> None:
        """Delete side files that no kept checkpoint needs (nothing when a kept checkpoint cannot be read)."""
        for removed in removed_checkpoints:
            for name in self.sides:
                side_file(Path(removed), name).unlink(missing_ok=True)
        kept = [Path(p) for p in list_iteration_checkpoints(str(self.ckpt_dir))]
        kept += [p for p in (self.ckpt_dir / BEST_CKPT,) if p.exists()]
        lists = [self._lists_of(p) for p in kept]
        if any(found is None for found in lists):
            return
        for name, side in self.sides.items():
            listed = side.segment_log.names().union(*(found.get(name, set()) for found in lists))
            remove_unlisted(str(self.ckpt_dir), listed, name)

    def _lists_of(self, ckpt: Path) -> dict[str, set[str]] | None:
        """The segment files a checkpoint lists, by side name (read once per file version, memory-mapped)."""
        try:
            st = os.stat(ckpt)
        except FileNotFoundError:
            return {}
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self._listed.get(str(ckpt))
        if cached is None or cached[0] != key:
            try:
                state = torch.load(ckpt, map_location="cpu", weights_only=True, mmap=True)
                lists = {name: listed_segments(m) for name, m in (state.get("side_state") or {}).items()}
            except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError):
                # damaged or foreign: keep every segment rather than guess
                lists = None
            cached = self._listed[str(ckpt)] = (key, lists)
        return cached[1]

    def _label(self) -> str:
        return " and ".join(name.replace("_", " ") for name in self.sides)
