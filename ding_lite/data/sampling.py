"""How a uniform replay buffer draws a minibatch, with DI-engine's meaning for its buffer types and ``max_use``.

DI-engine 0.5.3's serial buffers (``create_config.replay_buffer.type``), read from its source:

- ``'advanced'`` (AdvancedReplayBuffer, its default): a sum tree over the slots with equal priorities, sampled
  *stratified*: ``[0, held)`` cut into ``batch_size`` equal strata in slot order, one uniform draw in each;
- ``'naive'`` (NaiveReplayBuffer) and ``'deque'`` (DequeBuffer): uniform *without replacement* within a batch;
- ``max_use`` (advanced, deque): a transition sampled ``max_use`` times leaves the buffer; when fewer than a
  batch remain, the update loop of that collect stops (DI-engine's "can only train for N steps").

``'uniform'`` is ding_lite's own: independent uniform draws (with replacement), what ding_lite did before
these types had their meaning; the shipped configs name it. Prioritized buffers sample their own way (stratified
by priority, as DI-engine's) and take only ``max_use`` from here.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np
import torch

KINDS = ("uniform", "advanced", "naive", "deque")


class HeldCounts(Protocol):
    """What a draw reads from a replay buffer (``ReplayBuffer`` has it). A Protocol rather than the class because
    replay_buffer.py imports this module: no import back, not even for types."""

    capacity: int
    total: int  # transitions ever pushed; slot = number % capacity

    def __len__(self) -> int: ...


class Draws:
    """Per-buffer sampling rule and, with ``max_use``, how often each slot's transition was drawn."""

    def __init__(self, kind: str, capacity: int, max_use: int | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown replay buffer type {kind!r}")
        self.kind, self.max_use = kind, max_use
        self.uses = np.zeros(capacity, np.int64) if max_use is not None else None
        self.seen = 0  # transitions pushed when the counts were last brought up to date
    def numbers(self, buf: HeldCounts, batch: int, generator: torch.Generator) -> np.ndarray | None:
        """Transition numbers of one minibatch, or None when fewer than ``batch`` may still be drawn.

        Works on slots (number % capacity), O(batch) without ``max_use`` and O(held) with it."""
        n, total, cap = len(buf), buf.total, buf.capacity
        self.sync(buf)
        slots = None if self.uses is None else np.flatnonzero(self.uses[:n] < self.max_use)
        m = n if slots is None else len(slots)
        if m < batch or m == 0:
            return None
        if self.kind == "uniform":
            idx = torch.randint(m, (batch,), generator=generator).numpy()
        elif self.kind == "advanced":
            u = (np.arange(batch) + torch.rand(batch, dtype=torch.float64, generator=generator).numpy()) / batch
            idx = np.minimum((u * m).astype(np.int64), m - 1)
        else:
            idx = distinct(m, batch, generator)
        chosen = idx if slots is None else slots[idx]
        if self.uses is not None:
            np.add.at(self.uses, chosen, 1)
        return chosen if total <= cap else total - cap + (chosen - total) % cap

    def exhausted(self, numbers: np.ndarray, capacity: int) -> np.ndarray:
        """Which of ``numbers`` have now been drawn ``max_use`` times (a prioritized buffer zeroes their leaves)."""
        if self.uses is None:
            return np.zeros(len(numbers), bool)
        return self.uses[numbers % capacity] >= self.max_use

    def sync(self, buf: HeldCounts) -> None:
        """Transitions pushed since the last draw start unused (they took over their slots)."""
        if self.uses is not None and buf.total > self.seen:
            self.uses[np.arange(max(self.seen, buf.total - buf.capacity), buf.total) % buf.capacity] = 0
        self.seen = buf.total

    def state_dict(self) -> dict:
        """The use counts by slot (the policy registers this object, so every checkpoint holds them)."""
        return {"uses": torch.from_numpy(self.uses.copy()), "seen": self.seen}

    def load_state_dict(self, state: dict) -> None:
        """Counts of a buffer with the same slots; a resized buffer starts at 0 (its slots moved)."""
        saved = state["uses"].numpy()
        self.uses[:] = saved if len(saved) == len(self.uses) else 0
        self.seen = int(state["seen"])


def distinct(m: int, batch: int, generator: torch.Generator) -> np.ndarray:
    """``batch`` distinct indices in ``[0, m)``, uniformly (duplicates redrawn from the same generator)."""
    idx = torch.randint(m, (batch,), generator=generator).numpy()
    while True:
        _, first = np.unique(idx, return_index=True)
        dup = np.setdiff1d(np.arange(batch), first)
        if not len(dup):
            return idx
        idx[dup] = torch.randint(m, (len(dup),), generator=generator).numpy()
