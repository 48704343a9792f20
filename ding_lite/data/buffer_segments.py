"""Incremental checkpoints of a replay buffer: each save writes only the transitions added since the last one.

Why this works: a transition's stored data never changes after the next row of transitions is pushed.
Pushing row ``r`` may change only row ``r - 1`` (the newest): its ``truncated`` flag (a rollout that does
not continue it) and, with frame storage, whether its ``next_obs`` is kept apart. Every older row is
immutable until the ring overwrites it. So a save writes

- a *segment* file (:mod:`~ding_lite.data.segment_file`) with every array of the transitions numbered
  ``[flushed, total - N)`` (pushed since the previous save, minus the newest row), named by that range
  (``replay_buffer.{lo}-{hi}.seg``, beside the checkpoints);
- a *manifest* returned to the caller, which puts it inside the checkpoint itself (so it is as atomic as the
  checkpoint): counters, the newest row (a few transitions, as tensors), the list of segment files this state
  needs, and the per-slot state that changes in place (a prioritized buffer's priorities, added by it).

A state is then its manifest plus the segments covering the transitions it holds (and, with frame storage,
the older frames their stacks read). Segments are immutable and are shared by every checkpoint that needs
them; the caller deletes a segment once no kept checkpoint lists it (:func:`remove_unlisted`). A resume
memory-maps each segment and copies it into the preallocated arrays, so it needs no second copy of the
buffer and runs at disk read speed.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from ding_lite.data.frame_storage import FrameStorage
from ding_lite.data.segment_file import read_segment, write_segment
from ding_lite.utils.checkpoint_io import CheckpointError

INCREMENTAL_FORMAT = "ding_lite.replay_buffer/3"
SUFFIX = ".seg"
_DICTS = ("anchor", "next_frame", "next_stack")  # frame storage's sparse entries, keyed by transition number


class SegmentLog:
    """What of a buffer is on disk: transitions below ``flushed`` are in ``segments`` ([name, lo, hi] each)."""

    def __init__(self) -> None:
        self.flushed = 0
        self.segments: list[list] = []

    def names(self) -> set[str]:
        return {name for name, _, _ in self.segments}


class SegmentedBuffer(Protocol):
    """What these functions read and set on a replay buffer (``ReplayBuffer`` and its subclasses have it). A
    Protocol rather than the class because replay_buffer.py imports this module: no import back, not even for types."""

    capacity: int
    total: int  # transitions ever pushed
    stride: int  # envs per rollout row
    load_shift: int  # how far the last load moved transition numbers down
    segment_log: SegmentLog
    frames: FrameStorage | None
    _data: dict[str, np.ndarray]  # the ring arrays by field

    def __len__(self) -> int: ...

    def plan_load(self, saved_n: int, saved_cap: int, total: int, stride: int, where: str) -> int: ...

    def load_state_dict(self, state: dict, source: str = ...) -> None: ...


def _ring(array: np.ndarray, lo: int, hi: int) -> list[np.ndarray]:
    """Numbers ``[lo, hi)`` of a ring ``array`` (slot = number % len) as at most two views, no copy."""
    ring, count = len(array), max(hi - lo, 0)
    start = lo % ring if ring else 0
    if start + count <= ring:
        return [array[start:start + count]]
    return [array[start:], array[:start + count - ring]]


def _part(buffer: SegmentedBuffer, lo: int, hi: int) -> tuple[dict, dict[str, list[np.ndarray]]]:
    """Every array of the transitions ``[lo, hi)`` still held: ``(first number of each ring array, arrays)``."""
    total, cap = buffer.total, buffer.capacity
    held_lo = max(lo, total - cap)
    firsts, arrays = {}, {}
    for key, dest in buffer._data.items():
        firsts[key], arrays[key] = held_lo, _ring(dest, held_lo, hi)
    fs = buffer.frames
    if fs is not None:
        frames_lo = max(lo, total - len(fs.frames), 0)
        firsts["frames"], arrays["frames"] = frames_lo, _ring(fs.frames, frames_lo, hi)
        firsts["depth"], arrays["depth"] = held_lo, _ring(fs.depth, held_lo, hi)
        for name, entries, shape in (("anchor", fs.anchors, fs.shape),
                                     ("next_frame", {g: v for g, v in fs.nexts.items() if v.ndim == 2}, fs.shape[1:]),
                                     ("next_stack", {g: v for g, v in fs.nexts.items() if v.ndim == 3}, fs.shape)):
            keys = [g for g in entries if lo <= g < hi]
            arrays[f"{name}_numbers"] = [np.array(keys, dtype=np.int64)]
            arrays[f"{name}s"] = [np.stack([entries[g] for g in keys]) if keys else np.empty((0, *shape), np.uint8)]
    return firsts, arrays


def needed_from(buffer: SegmentedBuffer) -> int:
    """The oldest transition number whose data the buffer's state reads (older frames of stacks included)."""
    low = buffer.total - len(buffer)
    return low if buffer.frames is None else max(low - (buffer.frames.channels - 1) * buffer.stride, 0)


def save_segments(buffer: SegmentedBuffer, directory: str, prefix: str = "replay_buffer") -> dict:
    """Write the segment of what was pushed since the last save (``{prefix}.{lo}-{hi}.seg`` in ``directory``);
    return the manifest of the whole state."""
    log, total = buffer.segment_log, buffer.total
    upto = max(total - buffer.stride, 0)  # the newest row may still change: it goes into the manifest
    lo = max(log.flushed, needed_from(buffer))
    if upto > lo:
        os.makedirs(directory, exist_ok=True)
        name, n = f"{prefix}.{lo:012d}-{upto:012d}", 0
        while os.path.exists(os.path.join(directory, name + SUFFIX)):  # maybe listed by a checkpoint: never replace
            n += 1
            name = f"{prefix}.{lo:012d}-{upto:012d}.{n}"
        firsts, arrays = _part(buffer, lo, upto)
        write_segment(os.path.join(directory, name + SUFFIX), arrays, {"firsts": firsts, "lo": lo, "hi": upto})
        log.segments.append([name + SUFFIX, lo, upto])
    log.flushed = max(log.flushed, upto)
    low = needed_from(buffer)
    log.segments = [s for s in log.segments if s[2] > low]
    firsts, arrays = _part(buffer, upto, total)
    return {"format": INCREMENTAL_FORMAT, "frames": buffer.frames is not None, "capacity": buffer.capacity,
            "total": total, "stride": buffer.stride, "segments": [list(s) for s in log.segments],
            "tail": {"firsts": firsts, "arrays": {k: torch.from_numpy(np.concatenate(v)) for k, v in arrays.items()}}}


def listed_segments(manifest: dict) -> set[str]:
    """The segment files a manifest needs."""
    return {str(s[0]) for s in manifest.get("segments", [])}


def remove_unlisted(directory: str, listed: set[str], prefix: str = "replay_buffer") -> list[str]:
    """Delete the ``{prefix}.*.seg`` files in ``directory`` that no kept state lists; returns their names."""
    removed = []
    if not os.path.isdir(directory):
        return removed
    for entry in os.listdir(directory):
        if entry.startswith(prefix + ".") and entry.endswith(SUFFIX) and entry not in listed:
            Path(directory, entry).unlink(missing_ok=True)
            removed.append(entry)
    return removed


def load_side_file(buffer: SegmentedBuffer, path: str) -> None:
    """A whole-buffer side file (formats 1 and 2, what checkpoints before incremental saves have)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"Replay buffer file {path} does not exist.")
    if os.path.getsize(path) == 0:
        raise CheckpointError(f"Replay buffer file {path} is empty (0 bytes), probably from an interrupted copy.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # torch raises RuntimeError/ValueError/UnpicklingError/... on damaged data
        raise CheckpointError(
            f"Replay buffer file {path} is truncated or corrupted and could not be read ({type(exc).__name__})."
        ) from exc
    if not isinstance(state, dict):
        raise CheckpointError(f"Replay buffer file {path} does not hold a replay buffer.")
    buffer.load_state_dict(state, source=path)


def check_segments(manifest: dict, directory: str, needed_by: str) -> None:
    """Every segment a manifest lists is present and whole (headers only): one sentence before a resume changes
    anything."""
    for name, _, _ in manifest.get("segments", []):
        read_segment(os.path.join(directory, name), needed_by)


def _read_parts(buffer: SegmentedBuffer, manifest: dict, directory: str, needed_by: str) -> list[tuple[dict, dict]]:
    """Open every segment (memory maps) and check it before the buffer changes."""
    parts = []
    for name, _, _ in manifest["segments"]:
        meta, arrays = read_segment(os.path.join(directory, name), needed_by)
        parts.append((meta.get("firsts", {}), arrays, os.path.join(directory, name)))
    tail = manifest["tail"]
    parts.append((tail["firsts"], {k: v.numpy() for k, v in tail["arrays"].items()}, needed_by))
    wanted = {key: (own.shape[1:], own.dtype) for key, own in buffer._data.items()}
    if buffer.frames is not None:
        fs = buffer.frames
        wanted.update({"frames": (fs.shape[1:], np.dtype(np.uint8)), "depth": ((), fs.depth.dtype),
                       "anchors": (fs.shape, np.dtype(np.uint8)), "next_frames": (fs.shape[1:], np.dtype(np.uint8)),
                       "next_stacks": (fs.shape, np.dtype(np.uint8)),
                       **{f"{d}_numbers": ((), np.dtype(np.int64)) for d in _DICTS}})
    ring_keys = {*buffer._data, *(() if buffer.frames is None else ("frames", "depth"))}
    for firsts, arrays, source in parts:
        for key, (shape, dtype) in wanted.items():
            got = arrays.get(key)
            if got is None or got.shape[1:] != shape or got.dtype != dtype or (key in ring_keys) > (key in firsts):
                what = "lacks it" if got is None else f"holds {got.shape[1:]} {got.dtype}"
                raise CheckpointError(f"Replay buffer data {source} (checkpoint {needed_by}) entry '{key}' {what}, "
                                      f"but this buffer needs {shape} {dtype} (different env or observation shape?).")
    return [(f, a) for f, a, _ in parts]


def _put(dest: np.ndarray, first: int, src: np.ndarray, lo: int, hi: int, shift: int = 0) -> None:
    """``dest[(g - shift) % len(dest)] = src[g - first]`` for numbers ``g`` in ``[lo, hi)`` held by ``src``."""
    lo, hi = max(lo, first), min(hi, first + len(src))
    if hi <= lo:
        return
    done = 0
    for view in _ring(dest, lo - shift, hi - shift):
        view[...] = src[lo - first + done:lo - first + done + len(view)]
        done += len(view)


def load_segments(buffer: SegmentedBuffer, manifest: dict, directory: str, needed_by: str) -> None:
    """Restore a :func:`save_segments` state (any capacity, as :meth:`ReplayBuffer.load_state_dict`)."""
    if manifest.get("format") != INCREMENTAL_FORMAT:
        raise CheckpointError(f"Replay buffer state in checkpoint {needed_by} has format {manifest.get('format')!r}, "
                              f"expected {INCREMENTAL_FORMAT!r}.")
    if bool(manifest["frames"]) != (buffer.frames is not None):
        kinds = ("flat observations", "shared image frames")
        raise CheckpointError(f"Replay buffer state in checkpoint {needed_by} holds {kinds[bool(manifest['frames'])]}, "
                              f"but this buffer stores {kinds[buffer.frames is not None]} (different env?).")
    saved_cap, total, stride = int(manifest["capacity"]), int(manifest["total"]), int(manifest["stride"])
    parts = _read_parts(buffer, manifest, directory, needed_by)
    keep = buffer.plan_load(min(total, saved_cap), saved_cap, total, stride, f"in checkpoint {needed_by}")
    shift, lo = buffer.load_shift, total - keep
    fs = buffer.frames
    lowest = lo if fs is None else fs.begin_restore(total, stride, keep)
    for firsts, arrays in parts:
        for key, own in buffer._data.items():
            _put(own, firsts[key], arrays[key], lo, total, shift)
        if fs is not None:
            _put(fs.frames, firsts["frames"], arrays["frames"], lowest, total)
            _put(fs.depth, firsts["depth"], arrays["depth"], lo, total)
            for name, target, low in (("anchor", fs.anchors, lowest), ("next_frame", fs.nexts, lo),
                                      ("next_stack", fs.nexts, lo)):
                for i, g in enumerate(arrays[f"{name}_numbers"].tolist()):
                    if low <= g < total:
                        target[int(g)] = np.array(arrays[f"{name}s"][i])
    if fs is not None:
        fs.anchors, fs.nexts = dict(sorted(fs.anchors.items())), dict(sorted(fs.nexts.items()))
    buffer.total, buffer.stride = total - shift, stride
    buffer.segment_log = SegmentLog()
    if shift == 0:  # numbers unchanged: the segments stay valid and are shared with the next saves
        buffer.segment_log.segments = [list(s) for s in manifest["segments"]]
        buffer.segment_log.flushed = max(total - stride, 0)
