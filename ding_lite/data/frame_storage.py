"""Replay storage of ``[C, H, W]`` uint8 frame stacks that keeps each frame once (``obs`` and ``next_obs``).

Why: :class:`ding_lite.envs.wrappers.FrameStack` makes each observation the env's last C frames, oldest first,
with the first frame repeated C times at every reset (a lost life too). Consecutive observations of one env
share C - 1 frames, and a transition's ``next_obs`` is the next transition's ``obs``; two arrays would hold every
frame 2C times (Pong: 5.6 GB per 100k transitions instead of about 0.7 GB).

Layout, in the replay buffer's numbering (transition ``g``; the same env's next step is ``g + N``):

- ``frames[g % M]``: the newest frame of obs_g. The ring has M = capacity + (C - 1) * N frames, so the older
  frames of the oldest held transitions' stacks are kept (never overwritten, never read stale); every held
  transition can be sampled.
- ``depth[g % capacity]``: channel ``C-1-k`` of obs_g is ``frames[g - k*N]`` for ``k <= depth`` (at most
  C - 1). obs_g continues its predecessor when ``obs_g[:-1] == obs_{g-N}[1:]``, checked on the pixels when it
  is pushed, never assumed; then ``depth = min(depth_{g-N} + 1, C - 1)``, otherwise 0.
- The channels beyond ``depth`` come from the chain's start ``a = g - depth*N``: its newest frame repeated (a
  reset stack) or, where obs_a neither continues nor repeats one frame (the first rollout after a resume whose
  envs or buffer could not be restored, any env that stacks otherwise), its full stack in ``anchors[a]``.
- next_obs_g is obs_{g+N} unless ``nexts[g]`` holds it: the frame that follows obs_g (next_obs is then
  ``obs_g[1:]`` plus that frame: an episode's true final observation) or a full stack. Every pushed row waits
  there; the next row drops the entries it continues, so ends, truncations, the newest row and rollouts that do
  not continue the stored one keep theirs.

Because every choice compares pixels, ``obs`` / ``next_obs`` equal the two-array buffer's for any stream, bit
for bit. Measured (``bench/bench_frame_storage.py``, 12,000 real Pong transitions from the shipped config):
7,081 bytes per transition with the other fields, 0.708 GB per 100k against 5.646 GB for two uint8 arrays;
``sample(32, nstep=3)`` 0.49 ms against 0.40 ms (two fancy-indexed gathers plus a few dict look-ups).
"""
from __future__ import annotations

import numpy as np
import torch

from ding_lite.utils.checkpoint_io import CheckpointError

FRAMES_FORMAT = "ding_lite.replay_buffer/2"
"""Side files of buffers with shared frames; flat buffers keep writing format 1 (which these still read)."""
_CHUNK = 2048


def shares_frames(obs_shape: tuple[int, ...], obs_dtype: np.dtype | type) -> bool:
    """Frame stacks: ``[C, H, W]`` uint8 with C > 1 (a single channel has no neighbour to share with)."""
    return len(obs_shape) == 3 and obs_shape[0] > 1 and np.dtype(obs_dtype) == np.uint8


class FrameStorage:
    """``obs`` / ``next_obs`` of transitions numbered as in :class:`ReplayBuffer`, written in number order."""

    def __init__(self, capacity: int, obs_shape: tuple[int, ...]) -> None:
        if len(obs_shape) != 3:
            raise ValueError(f"frame storage needs [C, H, W] observations, got shape {tuple(obs_shape)}")
        self.capacity = capacity
        self.shape = tuple(int(d) for d in obs_shape)
        self.channels = self.shape[0]
        self.depth = np.empty(capacity, np.int16)
        self._reset(0, 0)

    def _reset(self, stride: int, known: int) -> None:
        """Empty storage for N = ``stride``; numbers below ``known`` are never continued (their depth is unknown)."""
        self.stride, self.known, self.end = stride, known, known
        ring = self.capacity + (self.channels - 1) * stride if stride else 0
        self.frames = np.empty((ring, *self.shape[1:]), np.uint8)  # np.empty: pages are backed once written
        self.anchors: dict[int, np.ndarray] = {}
        self.nexts: dict[int, np.ndarray] = {}

    @property
    def nbytes(self) -> int:
        held = min(self.end, self.capacity)
        extra = sum(v.nbytes for v in self.anchors.values()) + sum(v.nbytes for v in self.nexts.values())
        return self.frames[:min(self.end, len(self.frames))].nbytes + self.depth[:held].nbytes + extra

    # ----------------------------------------------------------------- reading

    def obs(self, numbers: np.ndarray) -> np.ndarray:
        """``[B, C, H, W]`` observations of held transitions (one fancy index, plus a copy per stored anchor)."""
        C, N = self.channels, self.stride
        depth = self.depth[numbers % self.capacity].astype(np.int64)
        back = np.minimum(np.arange(C - 1, -1, -1)[None, :], depth[:, None])
        out = self.frames[(numbers[:, None] - back * N) % len(self.frames)]
        if self.anchors:
            for i in np.flatnonzero(depth < C - 1):
                stack = self.anchors.get(int(numbers[i] - depth[i] * N))
                if stack is not None:
                    out[i, :C - 1 - depth[i]] = stack[depth[i]:C - 1]
        return out

    def next_obs(self, numbers: np.ndarray) -> np.ndarray:
        """``[B, C, H, W]`` next observations: obs_{g+N}, or what ``nexts`` keeps for g."""
        own = [self.nexts.get(int(g)) for g in numbers]
        kept = np.array([v is not None for v in own], dtype=bool)
        out = self.obs(np.where(kept, numbers, numbers + self.stride))
        for i in np.flatnonzero(kept):
            if own[i].ndim == 3:
                out[i] = own[i]
            else:  # obs_g shifted by one frame (numpy buffers the overlapping copy)
                out[i, :-1] = out[i, 1:]
                out[i, -1] = own[i]
        return out

    # ----------------------------------------------------------------- writing

    def write(self, start: int, stride: int, obs: np.ndarray, next_obs: np.ndarray) -> None:
        """Store transitions ``start, start + 1, ...`` (``[count, C, H, W]`` each) after everything held."""
        if self.stride == 0:
            self._reset(stride, start)
        obs, next_obs = obs.astype(np.uint8, copy=False), next_obs.astype(np.uint8, copy=False)
        end = start + len(obs)
        for lo in range(start, end, stride):  # a slice's predecessors are all stored before it
            hi = min(lo + stride, end)
            self._write_slice(np.arange(lo, hi), obs[lo - start:hi - start], next_obs[lo - start:hi - start])
        self.end = end
        oldest = end - min(end, self.capacity)
        _drop_below(self.nexts, oldest)
        _drop_below(self.anchors, oldest - (self.channels - 1) * stride)

    def _write_slice(self, numbers: np.ndarray, obs: np.ndarray, next_obs: np.ndarray) -> None:
        n, C = len(numbers), self.channels
        prev = numbers - self.stride
        known = prev >= self.known
        chained = np.zeros(n, dtype=bool)
        if known.any():  # every read happens before this slice overwrites anything
            held = prev[known]
            chained[known] = _rows_equal(obs[known, :-1], self.obs(held)[:, 1:])
            waiting = np.array([int(g) in self.nexts for g in held], dtype=bool)
            if waiting.any():
                continued = _rows_equal(self.next_obs(held[waiting]), obs[known][waiting])
                for g in held[waiting][continued]:
                    del self.nexts[int(g)]
        depth = np.where(chained, np.minimum(self.depth[prev % self.capacity] + 1, C - 1), 0)
        repeated = _rows_equal(obs, np.broadcast_to(obs[:, -1:], obs.shape))
        for i in np.flatnonzero(~chained & ~repeated):
            self.anchors[int(numbers[i])] = obs[i].copy()
        self.frames[numbers % len(self.frames)] = obs[:, -1]
        self.depth[numbers % self.capacity] = depth
        shifted = _rows_equal(next_obs[:, :-1], obs[:, 1:])
        for i, g in enumerate(numbers):
            self.nexts[int(g)] = next_obs[i, -1].copy() if shifted[i] else next_obs[i].copy()

    # ----------------------------------------------------------------- state

    def state_dict(self) -> dict:
        """Tensors sharing memory with the ring (no copy of the frames); anchors and kept next_obs stacked."""
        one = {g: v for g, v in self.nexts.items() if v.ndim == 2}
        full = {g: v for g, v in self.nexts.items() if v.ndim == 3}
        return {"ring": len(self.frames), "frames": torch.from_numpy(self.frames[:min(self.end, len(self.frames))]),
                "depth": torch.from_numpy(self.depth[:min(self.end, self.capacity)]),
                **_pack("anchor", self.anchors, self.shape), **_pack("next_frame", one, self.shape[1:]),
                **_pack("next_stack", full, self.shape)}

    def load_state_dict(self, state: dict, end: int, stride: int, saved_capacity: int, keep: int,
                        source: str) -> None:
        """Restore the newest ``keep`` transitions of a :data:`FRAMES_FORMAT` side file (any capacity)."""
        names = ("ring", "frames", "depth", *(f"{k}{s}" for k in ("anchor", "next_frame", "next_stack")
                                               for s in ("s", "_numbers")))
        missing = [k for k in names if k not in state]
        if missing:
            listed = ", ".join(f"frames.{k}" for k in missing)
            raise CheckpointError(f"Replay buffer file {source} lacks the entries {listed}.")
        frames, ring = state["frames"].numpy(), int(state["ring"])
        for key, shape in (("frames", self.shape[1:]), ("anchors", self.shape), ("next_stacks", self.shape),
                           ("next_frames", self.shape[1:])):
            got = state[key].numpy()
            if got.shape[1:] != shape or got.dtype != np.uint8:
                raise CheckpointError(
                    f"Replay buffer file {source} entry 'frames.{key}' holds {got.shape[1:]} {got.dtype} frames, "
                    f"but this buffer needs {shape} uint8 (different env or observation shape?).")
        if len(frames) != min(end, ring):
            raise CheckpointError(f"Replay buffer file {source} holds {len(frames)} frames, expected {min(end, ring)}.")
        self._reset(stride, end - keep)
        self.end = end
        lowest = end - keep - (self.channels - 1) * stride  # the oldest frame a kept stack reads
        if ring == len(self.frames):
            self.frames[:len(frames)] = frames
        else:
            for lo in range(max(lowest, end - len(frames)), end, _CHUNK):
                numbers = np.arange(lo, min(lo + _CHUNK, end))
                self.frames[numbers % len(self.frames)] = frames[numbers % ring]
        numbers = np.arange(end - keep, end)
        self.depth[numbers % self.capacity] = state["depth"].numpy()[numbers % saved_capacity]
        self.anchors = _unpack(state, "anchor", lowest)
        nexts = {**_unpack(state, "next_frame", end - keep), **_unpack(state, "next_stack", end - keep)}
        self.nexts = dict(sorted(nexts.items()))

    def begin_restore(self, end: int, stride: int, keep: int) -> int:
        """Empty storage holding numbers up to ``end`` (the newest ``keep`` held), for a caller that copies the
        arrays in; returns the oldest number whose frame a kept stack reads."""
        self._reset(stride, end - keep)
        self.end = end
        return end - keep - (self.channels - 1) * stride

    def load_two_arrays(self, obs: np.ndarray, next_obs: np.ndarray, end: int, stride: int, saved_capacity: int,
                        keep: int) -> None:
        """Re-encode a format-1 side file (two arrays in slot order): its oldest kept stacks become anchors."""
        self._reset(stride, end - keep)
        for lo in range(end - keep, end, _CHUNK):
            slots = np.arange(lo, min(lo + _CHUNK, end)) % saved_capacity
            self.write(lo, stride, obs[slots], next_obs[slots])


def _rows_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b).reshape(len(a), -1).all(1)


def _drop_below(entries: dict[int, np.ndarray], lowest: int) -> None:
    """Forget entries older than ``lowest``; keys were inserted in increasing order."""
    while entries:
        first = next(iter(entries))
        if first >= lowest:
            return
        del entries[first]


def _pack(name: str, entries: dict[int, np.ndarray], shape: tuple[int, ...]) -> dict[str, torch.Tensor]:
    values = np.stack(list(entries.values())) if entries else np.empty((0, *shape), np.uint8)
    return {f"{name}_numbers": torch.tensor(list(entries), dtype=torch.int64), f"{name}s": torch.from_numpy(values)}


def _unpack(state: dict, name: str, lowest: int) -> dict[int, np.ndarray]:
    values = state[f"{name}s"].numpy()
    return {int(g): np.array(values[i]) for i, g in enumerate(state[f"{name}_numbers"].tolist()) if g >= lowest}
