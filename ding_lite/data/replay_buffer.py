"""Uniform replay buffer in preallocated numpy arrays, with n-step windows and a safe side file.

Storage layout. The collector hands over time-major ``[T, N, ...]`` rollouts from the same ``N`` envs every time, and
the buffer stores them row by row, so the transition pushed as number ``g`` (counting every transition ever pushed)
lives in slot ``g % capacity`` and the *next step of the same env* is number ``g + N``. n-step windows are therefore
gathered at sample time by striding ``N`` forward, and the buffer never holds half-built targets that a checkpoint
would have to carry. Episode boundaries: every transition stores ``terminated`` / ``truncated`` and its ``next_obs``
(the true final observation where an episode ended). Windows stop after the first step that ends an episode, and stop
early where the newest data runs out. When a pushed rollout does not continue the previous one (its first observation
differs from the stored ``next_obs`` of an env whose episode had not ended, e.g. after a resume whose envs could not
be restored), the older transition is marked ``truncated`` so no window ever joins two unrelated streams; it
bootstraps from its own ``next_obs``, which is a real observation of that stream.
Checkpoints: :meth:`save_segments` writes only what was pushed since the previous save
(:mod:`ding_lite.data.buffer_segments`); :meth:`save` / :meth:`load` keep the whole filled part in one side file
(formats 1 and 2, which older checkpoints have), loaded memory-mapped and copied into the preallocated arrays. Image
observations (``[C, H, W]`` uint8 stacks, C > 1) keep ``obs``/``next_obs`` in a :class:`FrameStorage` (each frame
once, the same sampled values; side-file format ``FRAMES_FORMAT``, format-1 files still load). How a minibatch is
drawn beyond independent uniform draws (DI-engine's buffer types, ``max_use``): ``draws``.
"""
from __future__ import annotations

import numpy as np
import torch

from ding_lite.data.buffer_segments import SegmentLog, load_segments, load_side_file, save_segments
from ding_lite.data.frame_storage import FRAMES_FORMAT, FrameStorage, shares_frames
from ding_lite.data.sampling import Draws
from ding_lite.utils.checkpoint_io import CheckpointError, save_checkpoint

FIELDS = ("obs", "next_obs", "action", "reward", "terminated", "truncated")
FORMAT = "ding_lite.replay_buffer/1"
_LOAD_CHUNK = 1 << 16


class ReplayBuffer:
    """A FIFO ring of transitions; ``len`` is the number of transitions it holds."""

    missing_note = ("it starts empty and training resumes once it refills to the start threshold; exploration "
                    "continues from the restored envstep")
    """What a resume without this buffer's side file means, for the run's log."""

    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_shape: tuple[int, ...] = (),
                 action_dtype: np.dtype | type = np.int64, obs_dtype: np.dtype | type = np.float32,
                 share_frames: bool | None = None) -> None:
        """``share_frames``: frame storage for obs/next_obs; None decides by :func:`shares_frames`."""
        if capacity < 1:
            raise ValueError(f"replay buffer capacity must be >= 1, got {capacity}")
        self.capacity = int(capacity)
        cap = self.capacity
        if share_frames is None:
            share_frames = shares_frames(tuple(obs_shape), obs_dtype)
        if share_frames and np.dtype(obs_dtype) != np.uint8:
            raise ValueError(f"shared frames are uint8, got obs_dtype {np.dtype(obs_dtype)}")
        self.frames = FrameStorage(cap, tuple(obs_shape)) if share_frames else None
        # np.empty: the OS only backs pages once they are written, so an unfilled buffer costs little.
        self._data = {
            **({} if share_frames else {"obs": np.empty((cap, *obs_shape), dtype=obs_dtype),
                                        "next_obs": np.empty((cap, *obs_shape), dtype=obs_dtype)}),
            "action": np.empty((cap, *action_shape), dtype=action_dtype),
            "reward": np.empty(cap, dtype=np.float32),
            "terminated": np.empty(cap, dtype=bool),
            "truncated": np.empty(cap, dtype=bool),
        }
        self.total = 0  # transitions ever pushed; the newest is number total - 1
        self.stride = 0  # envs per rollout row (N), fixed by the first push
        self.load_shift = 0  # how far the last load moved transition numbers down (see plan_load)
        self.segment_log = SegmentLog()  # what incremental saves have written (see buffer_segments)
        self.draws: Draws | None = None  # DI-engine's buffer types and max_use (None: independent uniform draws)

    def __len__(self) -> int:
        return min(self.total, self.capacity)

    def __repr__(self) -> str:
        return f"ReplayBuffer({len(self):,}/{self.capacity:,} transitions, {self.stride} envs)"

    @property
    def nbytes(self) -> int:
        """Bytes the filled part occupies (what a side file holds, plus a small header)."""
        n = len(self)
        return sum(a[:n].nbytes for a in self._data.values()) + (0 if self.frames is None else self.frames.nbytes)

    # ----------------------------------------------------------------- writing

    def push(self, rollout: dict[str, np.ndarray]) -> None:
        """Store a ``[T, N, ...]`` rollout (keys obs, action, reward, terminated, truncated, final_obs).

        ``final_obs[t]`` is the observation after step ``t`` (the true last one where an episode
        ended), which is exactly each transition's ``next_obs``.
        """
        obs = np.asarray(rollout["obs"])
        T, N = obs.shape[:2]
        if self.stride == 0:
            self.stride = N
        elif N != self.stride:
            raise ValueError(f"replay buffer holds rollouts of {self.stride} envs, got one of {N} envs")
        if T * N > self.capacity:
            raise ValueError(f"a rollout of {T * N} transitions does not fit a buffer of {self.capacity}")
        self._mark_discontinuity(obs[0])
        flat = {
            "obs": obs,
            "next_obs": rollout["final_obs"],
            "action": rollout["action"],
            "reward": rollout["reward"],
            "terminated": rollout["terminated"],
            "truncated": rollout["truncated"],
        }
        start = self.total % self.capacity
        count = T * N
        first = min(count, self.capacity - start)
        if self.frames is not None:
            shape = (count, *self.frames.shape)
            self.frames.write(self.total, N, obs.reshape(shape), np.asarray(flat["next_obs"]).reshape(shape))
        for key, dest in self._data.items():
            value = np.asarray(flat[key]).reshape(count, *dest.shape[1:])
            dest[start:start + first] = value[:first]
            if first < count:
                dest[:count - first] = value[first:]
        self.total += count

    def _mark_discontinuity(self, new_obs: np.ndarray) -> None:
        if self.total == 0:
            return
        numbers = np.arange(self.total - self.stride, self.total)
        slots = numbers % self.capacity
        d = self._data
        open_episode = ~(d["terminated"][slots] | d["truncated"][slots])
        same = (self._next_obs(numbers) == new_obs).reshape(self.stride, -1).all(1)
        d["truncated"][slots[open_episode & ~same]] = True

    def _obs(self, numbers: np.ndarray) -> np.ndarray:
        return self._data["obs"][numbers % self.capacity] if self.frames is None else self.frames.obs(numbers)

    def _next_obs(self, numbers: np.ndarray) -> np.ndarray:
        if self.frames is None:
            return self._data["next_obs"][numbers % self.capacity]
        return self.frames.next_obs(numbers)

    # ----------------------------------------------------------------- sampling

    def sample_numbers(self, batch_size: int, generator: torch.Generator) -> np.ndarray | None:
        """Uniform transition numbers (push order) from what is held; ``draws``' rule (None: too few left) if set."""
        if self.draws is not None:
            return self.draws.numbers(self, batch_size, generator)
        n = len(self)
        if n == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        offset = torch.randint(n, (batch_size,), generator=generator).numpy()
        return self.total - n + offset

    def windows(self, numbers: np.ndarray, nstep: int) -> dict[str, np.ndarray]:
        """``[B, nstep]`` reward / terminated / truncated / available, and the number and slot of every step.

        Step ``k`` of the window of transition ``g`` is transition ``g + k * N``; it is available
        when it has been pushed. Whether the window has already ended is left to
        :func:`ding_lite.rl_utils.nstep_return`.
        """
        steps = numbers[:, None] + self.stride * np.arange(nstep)[None, :]
        available = steps < self.total
        steps = np.where(available, steps, numbers[:, None])
        slots = steps % self.capacity
        d = self._data
        return {
            "reward": d["reward"][slots],
            "terminated": d["terminated"][slots],
            "truncated": d["truncated"][slots],
            "available": available,
            "numbers": steps,
            "slots": slots,
        }

    def sample(self, batch_size: int, nstep: int, gamma: float, generator: torch.Generator,
               ignore_done: bool = False) -> dict[str, torch.Tensor] | None:
        """A uniform minibatch with n-step returns: obs, action, returns, discount, bootstrap_obs (None: see
        :meth:`sample_numbers`).

        ``nstep=1`` takes a shortcut with the same result as :func:`ding_lite.rl_utils.nstep_return`
        (a window of one step: its reward, and gamma unless it terminated), at a third of the cost.
        """
        numbers = self.sample_numbers(batch_size, generator)
        return None if numbers is None else self.batch(numbers, nstep, gamma, ignore_done)

    def batch(self, numbers: np.ndarray, nstep: int, gamma: float, ignore_done: bool = False) -> dict[str, torch.Tensor]:
        """The minibatch of the transitions ``numbers`` (global push order), as :meth:`sample` describes."""
        batch_size = len(numbers)
        slot = numbers % self.capacity
        d = self._data
        if nstep == 1:
            returns = torch.from_numpy(d["reward"][slot])
            keep = np.ones(batch_size, np.float32) if ignore_done else (~d["terminated"][slot]).astype(np.float32)
            discount = torch.from_numpy(keep * np.float32(gamma))
            boot = numbers
        else:
            from ding_lite.rl_utils.td import nstep_return

            win = self.windows(numbers, nstep)
            returns, discount, last = nstep_return(
                torch.from_numpy(win["reward"]), torch.from_numpy(win["terminated"]),
                torch.from_numpy(win["truncated"]), torch.from_numpy(win["available"]), gamma, ignore_done)
            boot = win["numbers"][np.arange(batch_size), last.numpy()]
        return {
            "obs": torch.from_numpy(self._obs(numbers)),
            "action": torch.from_numpy(d["action"][slot]),
            "returns": returns,
            "discount": discount,
            "bootstrap_obs": torch.from_numpy(self._next_obs(boot)),
        }

    # ----------------------------------------------------------------- state

    def state_dict(self) -> dict:
        """The filled part as tensors sharing memory with the arrays (no copy), plus counters."""
        n = len(self)
        state: dict = {"format": FORMAT if self.frames is None else FRAMES_FORMAT, "capacity": self.capacity,
                       "total": self.total, "stride": self.stride}
        state.update({key: torch.from_numpy(value[:n]) for key, value in self._data.items()})
        if self.frames is not None:
            state["frames"] = self.frames.state_dict()
        return state

    def load_state_dict(self, state: dict, source: str = "replay buffer state") -> None:
        """Restore from :meth:`state_dict` output; the capacity may differ (the newest transitions are kept)."""
        fmt = state.get("format")
        if fmt == FRAMES_FORMAT and self.frames is None:
            raise CheckpointError(f"Replay buffer file {source} holds shared image frames (format {fmt!r}), but this "
                                  "buffer stores flat observations (different env or observation shape?).")
        frames_file = fmt == FRAMES_FORMAT
        fields = (*FIELDS[2:], "frames") if frames_file else FIELDS
        missing = [k for k in ("format", "capacity", "total", "stride", *fields) if k not in state]
        if missing:
            raise CheckpointError(f"Replay buffer file {source} lacks the entries {', '.join(missing)}.")
        if fmt != FORMAT and not frames_file:
            expected = repr(FORMAT) if self.frames is None else f"{FORMAT!r} or {FRAMES_FORMAT!r}"
            raise CheckpointError(f"Replay buffer file {source} has format {fmt!r}, expected {expected}.")
        saved_cap, total, stride = int(state["capacity"]), int(state["total"]), int(state["stride"])
        saved_n = min(total, saved_cap)
        wanted = {key: (own.shape[1:], own.dtype) for key, own in self._data.items()}
        if self.frames is not None and not frames_file:  # a format-1 file: two arrays of stacks to re-encode
            wanted.update({key: (self.frames.shape, np.dtype(np.uint8)) for key in FIELDS[:2]})
        for key, (shape, dtype) in wanted.items():
            tensor = state[key]
            want = (saved_n, *shape)
            if tuple(tensor.shape) != want or tensor.numpy().dtype != dtype:
                raise CheckpointError(
                    f"Replay buffer file {source} entry '{key}' is {tuple(tensor.shape)} {tensor.numpy().dtype}, "
                    f"but this buffer needs {want} {dtype} (different env or observation shape?).")
        self.total, self.stride = 0, 0
        keep = self.plan_load(saved_n, saved_cap, total, stride, f"file {source}")
        self.segment_log = SegmentLog()  # the next incremental save writes everything held
        if frames_file:
            self.frames.load_state_dict(state["frames"], total, stride, saved_cap, keep, source)
        elif self.frames is not None:
            self.frames.load_two_arrays(state["obs"].numpy(), state["next_obs"].numpy(), total, stride, saved_cap,
                                        keep)
        if saved_cap == self.capacity:  # same slots: one straight copy per field, no temporaries
            for key, own in self._data.items():
                own[:saved_n] = state[key].numpy()
            self.total, self.stride = total, stride
            return
        lo = total - keep
        for start in range(lo, total, _LOAD_CHUNK):  # bounded temporaries whatever the buffer's size
            numbers = np.arange(start, min(start + _LOAD_CHUNK, total))
            src, dst = numbers % saved_cap, (numbers - self.load_shift) % self.capacity
            for key, own in self._data.items():
                own[dst] = state[key].numpy()[src]
        self.total, self.stride = total - self.load_shift, stride

    def plan_load(self, saved_n: int, saved_cap: int, total: int, stride: int, where: str) -> int:
        """How many of a saved state's newest transitions to keep; sets :attr:`load_shift`.

        A wrapped buffer loaded into a larger one, numbered as saved, would leave never-written slots counted
        as held: its transitions are renumbered from 0, by a multiple of the env count so each env's steps
        stay N apart (dropping up to N - 1 of the oldest). A frame buffer refuses that in one sentence.
        """
        keep = min(saved_n, self.capacity)
        self.load_shift = 0
        if saved_cap != self.capacity and keep < self.capacity and total > keep:
            if self.frames is not None:
                raise CheckpointError(f"Replay buffer {where} had wrapped around its {saved_cap} slots; a frame "
                                      f"buffer cannot grow to {self.capacity} on resume: keep replay_buffer_size "
                                      f"at {saved_cap} or resume without the buffer.")
            keep -= (keep - total) % stride
            self.load_shift = total - keep
        return keep

    def save(self, path: str) -> None:
        """Atomic side file (temp in the same dir, fsync, ``os.replace``) holding only the filled part."""
        save_checkpoint(self.state_dict(), path)

    def load(self, path: str) -> None:
        """Restore from :meth:`save`'s file (format 1 or 2); every failure is one sentence naming it."""
        load_side_file(self, path)

    def save_segments(self, directory: str, prefix: str = "replay_buffer") -> dict:
        """Write what changed since the last save into ``directory``; the manifest goes into the checkpoint."""
        return save_segments(self, directory, prefix)

    def load_segments(self, manifest: dict, directory: str, needed_by: str) -> None:
        """Restore the state of a :meth:`save_segments` manifest (from checkpoint ``needed_by``)."""
        load_segments(self, manifest, directory, needed_by)
