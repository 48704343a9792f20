"""Proportional prioritized replay (Schaul et al., 2016) over the uniform buffer's storage.

A transition is drawn with probability ``p_i^alpha / sum_k p_k^alpha``; new transitions get the
largest priority seen so far, so each is replayed at least once soon. Sampling is stratified: the
total mass is cut into ``batch_size`` equal segments and one uniform draw (from the policy's learn
generator) falls in each, then a sum-tree descent finds its slot: O(log n) per sample. The
importance-sampling weights ``(n * P(i))^-beta / max_j (n * P(j))^-beta`` correct the bias; ``beta``
rises linearly from its start to 1 over ``anneal_step`` samples (DI-engine's ``alpha``, ``beta``,
``anneal_step`` with its defaults). Priorities and the annealing state are part of :meth:`state_dict`,
so the side file resumes sampling bit for bit.
"""
from __future__ import annotations

import numpy as np
import torch

from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.data.segment_tree import MinTree, SumTree
from ding_lite.utils.checkpoint_io import CheckpointError

PRIORITY_EPS = 1e-6
"""Added to every |TD error|, so no transition's probability becomes exactly zero."""


class PrioritizedReplayBuffer(ReplayBuffer):
    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_shape: tuple[int, ...] = (),
                 action_dtype: np.dtype | type = np.int64, obs_dtype: np.dtype | type = np.float32,
                 alpha: float = 0.6, beta: float = 0.4, anneal_step: int = 100_000,
                 share_frames: bool | None = None) -> None:
        super().__init__(capacity, obs_shape, action_shape, action_dtype, obs_dtype, share_frames)
        self.alpha, self.beta0, self.anneal_step = float(alpha), float(beta), int(anneal_step)
        self._sum = SumTree(self.capacity)
        self._min = MinTree(self.capacity)
        self.max_priority = 1.0
        self.sample_count = 0

    def __repr__(self) -> str:
        return f"PrioritizedReplayBuffer({len(self):,}/{self.capacity:,} transitions, alpha {self.alpha})"

    @property
    def beta(self) -> float:
        if self.anneal_step <= 0:
            return self.beta0
        return min(1.0, self.beta0 + (1.0 - self.beta0) * self.sample_count / self.anneal_step)

    def push(self, rollout: dict[str, np.ndarray]) -> None:
        start = self.total
        super().push(rollout)
        slots = np.arange(start, self.total) % self.capacity
        value = self.max_priority ** self.alpha
        self._sum.update(slots, value)
        self._min.update(slots, value)

    def sample_numbers(self, batch_size: int, generator: torch.Generator) -> np.ndarray | None:
        """Stratified by priority; with ``max_use`` (``draws``) each draw is counted (:meth:`sample` then takes the
        transitions drawn that often out of the trees) and None comes back when fewer than a batch remain."""
        n = len(self)
        if n == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        uses = None if self.draws is None else self.draws.uses
        if uses is not None:
            self.draws.sync(self)
        if uses is not None and int((uses[:n] < self.draws.max_use).sum()) < batch_size:
            return None
        total_mass = self._sum.sum()
        u = torch.rand(batch_size, dtype=torch.float64, generator=generator).numpy()
        mass = np.minimum((np.arange(batch_size) + u) * (total_mass / batch_size), np.nextafter(total_mass, 0))
        slots = np.minimum(self._sum.prefix_sum_index(mass), n - 1)
        oldest = self.total - n
        numbers = oldest + (slots - oldest) % self.capacity
        if uses is not None:
            np.add.at(uses, slots, 1)
        return numbers

    def sample(self, batch_size: int, nstep: int, gamma: float, generator: torch.Generator,
               ignore_done: bool = False) -> dict[str, torch.Tensor] | None:
        """:meth:`ReplayBuffer.sample` plus ``weight`` (IS weights) and ``numbers`` (for the priority update)."""
        numbers = self.sample_numbers(batch_size, generator)
        if numbers is None:
            return None
        batch = self.batch(numbers, nstep, gamma, ignore_done)
        n, total_mass, beta = len(self), self._sum.sum(), self.beta
        prob = self._sum[numbers % self.capacity] / total_mass
        max_weight = (n * self._min.min() / total_mass) ** -beta
        batch["weight"] = torch.from_numpy(((n * prob) ** -beta / max_weight).astype(np.float32))
        batch["numbers"] = torch.from_numpy(numbers)
        self.sample_count += 1
        if self.draws is not None and self.draws.uses is not None:  # weighted as drawn, then out (DI-engine)
            gone = numbers[self.draws.exhausted(numbers, self.capacity)] % self.capacity
            self._sum.update(gone, 0.0)
            self._min.update(gone, np.inf)
        return batch

    def update_priorities(self, numbers: np.ndarray, errors: np.ndarray) -> None:
        """New priorities ``|error| + eps`` for the sampled transitions still held (older ones were overwritten)."""
        numbers = np.asarray(numbers, dtype=np.int64)
        priority = np.abs(np.asarray(errors, dtype=np.float64)) + PRIORITY_EPS
        held = numbers >= self.total - len(self)
        if self.draws is not None:  # a transition drawn max_use times stays out of the trees
            held &= ~self.draws.exhausted(numbers, self.capacity)
        if not held.all():
            numbers, priority = numbers[held], priority[held]
        if not len(numbers):
            return
        self.max_priority = max(self.max_priority, float(priority.max()))
        slots = numbers % self.capacity
        self._sum.update(slots, priority ** self.alpha)
        self._min.update(slots, priority ** self.alpha)

    def _priority_state(self) -> dict:
        leaves = self._sum.state_dict()["values"][:len(self)]  # slot order, as the saved capacity numbers them
        return {"leaves": torch.from_numpy(leaves), "max_priority": self.max_priority,
                "sample_count": self.sample_count, "alpha": self.alpha}

    def state_dict(self) -> dict:
        return {**super().state_dict(), "priority": self._priority_state()}

    def save_segments(self, directory: str, prefix: str = "replay_buffer") -> dict:
        """Priorities change anywhere in place: every manifest holds them all (8 bytes per held transition)."""
        return {**super().save_segments(directory, prefix), "priority": self._priority_state()}

    def _check_alpha(self, saved: dict | None, source: str) -> None:
        if saved is not None and float(saved["alpha"]) != self.alpha:
            raise CheckpointError(f"Replay buffer {source} was prioritized with alpha {saved['alpha']}, "
                                  f"but this run's other.replay_buffer.alpha is {self.alpha}.")

    def load_state_dict(self, state: dict, source: str = "replay buffer state") -> None:
        """Also restores priorities; a side file of a uniform buffer starts every priority at 1 (said by the caller)."""
        self._check_alpha(state.get("priority"), f"file {source}")
        super().load_state_dict(state, source)
        self._load_priorities(state.get("priority"), int(state["capacity"]))

    def load_segments(self, manifest: dict, directory: str, needed_by: str) -> None:
        self._check_alpha(manifest.get("priority"), f"in checkpoint {needed_by}")
        super().load_segments(manifest, directory, needed_by)
        self._load_priorities(manifest.get("priority"), int(manifest["capacity"]))

    def _load_priorities(self, saved: dict | None, saved_capacity: int) -> None:
        n = len(self)
        self._sum, self._min = SumTree(self.capacity), MinTree(self.capacity)
        if saved is None:
            self.max_priority, self.sample_count = 1.0, 0
            self._set_leaves(np.arange(self.total - n, self.total), np.ones(n))
            return
        numbers = np.arange(self.total - n, self.total)  # saved leaves are indexed by the saved buffer's slots
        saved_slots = (numbers + self.load_shift) % saved_capacity
        self._set_leaves(numbers, saved["leaves"].numpy()[saved_slots])
        self.max_priority, self.sample_count = float(saved["max_priority"]), int(saved["sample_count"])

    def _set_leaves(self, numbers: np.ndarray, values: np.ndarray) -> None:
        """Rebuild both trees level by level from the held transitions' leaves (a 1M buffer in well under a second)."""
        leaves = np.zeros(self.capacity)
        leaves[numbers % self.capacity] = values
        self._sum.load_state_dict({**self._sum.state_dict(), "values": leaves})
        held = np.full(self.capacity, np.inf)
        held[numbers % self.capacity] = np.where(values > 0, values, np.inf)  # 0: drawn max_use times
        self._min.load_state_dict({**self._min.state_dict(), "values": held})
