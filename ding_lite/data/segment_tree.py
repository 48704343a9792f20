"""Sum and min segment trees over float64 leaves, for proportional prioritized replay (Schaul et al., 2016).

The tree is one flat array: node ``1`` is the root, node ``n`` has children ``2n`` and ``2n + 1``,
and the leaves are nodes ``size .. 2 * size - 1`` with ``size`` the capacity rounded up to a power
of two (padding leaves hold the neutral element). Every operation is vectorised over a batch of
indices and walks the ``log2(size)`` levels once, so a batch of 256 costs about 20 numpy calls
instead of 256 Python loops. An inner node is always recomputed from its two children, so the whole
tree is a function of its leaves: :meth:`load_state_dict` rebuilds it bit for bit.
"""

import numpy as np

FORMAT = 1


class _SegmentTree:
    """Shared layout, batched update and state of the sum and min trees."""

    _neutral: float
    _combine: np.ufunc

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"segment tree capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._size = 1 << (capacity - 1).bit_length()
        self._tree = np.full(2 * self._size, self._neutral, dtype=np.float64)

    def _leaf_indices(self, indices: np.ndarray) -> np.ndarray:
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        if indices.size and (indices.min() < 0 or indices.max() >= self.capacity):
            raise IndexError(f"segment tree index out of range [0, {self.capacity}): "
                             f"min {indices.min()}, max {indices.max()}")
        return indices

    def __getitem__(self, indices: np.ndarray) -> np.ndarray:
        """Leaf values at ``indices`` (a copy), ``[B]``."""
        return self._tree[self._leaf_indices(indices) + self._size]

    def update(self, indices: np.ndarray, values: np.ndarray) -> None:
        """Set the leaves ``indices`` to ``values`` and refresh their ancestors; a repeated index keeps its last value."""
        indices = self._leaf_indices(indices)
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), indices.shape)
        self._check_values(values)
        if not indices.size:
            return
        # np.unique keeps the first occurrence, so deduplicate the reversed batch to keep the last
        nodes, first = np.unique(indices[::-1], return_index=True)
        nodes = nodes + self._size
        self._tree[nodes] = values[::-1][first]
        while nodes[0] > 1:
            nodes = np.unique(nodes >> 1)
            self._tree[nodes] = self._combine(self._tree[2 * nodes], self._tree[2 * nodes + 1])

    def _check_values(self, values: np.ndarray) -> None:
        if np.isnan(values).any():
            raise ValueError("segment tree values must not be NaN")

    def state_dict(self) -> dict:
        """The leaves as a float64 array (a copy) and the capacity."""
        return {"format": FORMAT, "capacity": self.capacity,
                "values": self._tree[self._size:self._size + self.capacity].copy()}

    def load_state_dict(self, state: dict) -> None:
        """Restore from :meth:`state_dict`; inner nodes are rebuilt from the leaves exactly as updates build them."""
        if state.get("format") != FORMAT:
            raise ValueError(f"segment tree state has format {state.get('format')!r}, expected {FORMAT}")
        if state["capacity"] != self.capacity:
            raise ValueError(f"segment tree state has capacity {state['capacity']}, this tree has {self.capacity}")
        values = np.asarray(state["values"], dtype=np.float64)
        if values.shape != (self.capacity,):
            raise ValueError(f"segment tree state has {values.shape} values, expected ({self.capacity},)")
        self._check_values(values)
        self._tree[:] = self._neutral
        self._tree[self._size:self._size + self.capacity] = values
        level = self._size
        while level > 1:
            level >>= 1
            nodes = np.arange(level, 2 * level)
            self._tree[nodes] = self._combine(self._tree[2 * nodes], self._tree[2 * nodes + 1])


class SumTree(_SegmentTree):
    """Non-negative priorities with their total and proportional sampling by prefix sum."""

    _neutral = 0.0
    _combine = np.add

    def _check_values(self, values: np.ndarray) -> None:
        if not (values >= 0).all():  # also catches NaN
            raise ValueError("sum tree values must be non-negative numbers")

    def sum(self) -> float:
        """Total of all leaves."""
        return float(self._tree[1])

    def prefix_sum_index(self, mass: np.ndarray) -> np.ndarray:
        """For each ``mass`` in ``[0, sum())`` the smallest index ``i`` with ``leaf_0 + .. + leaf_i > mass``.

        Drawing ``mass`` uniformly from ``[0, sum())`` picks index ``i`` with probability
        ``leaf_i / sum()``; a zero leaf is never picked. Where float rounding makes a right subtree
        hold slightly less than its parent minus its left sibling, the descent may run past the last
        leaf; such indices are clipped to ``capacity - 1``.
        """
        mass = np.array(mass, dtype=np.float64).reshape(-1)
        if mass.size and not ((mass >= 0).all() and (mass < self._tree[1]).all()):
            raise ValueError(f"prefix_sum_index: mass must lie in [0, {self._tree[1]}), "
                             f"got min {mass.min()}, max {mass.max()}")
        nodes = np.ones(mass.shape, dtype=np.int64)
        while nodes.size and nodes[0] < self._size:
            left = self._tree[2 * nodes]
            right = mass >= left
            mass -= np.where(right, left, 0.0)
            nodes = 2 * nodes + right
        return np.minimum(nodes - self._size, self.capacity - 1)


class MinTree(_SegmentTree):
    """Priorities with their minimum (for the largest importance-sampling weight); empty leaves are +inf."""

    _neutral = float("inf")
    _combine = np.minimum

    def min(self) -> float:
        """Smallest leaf (+inf while every leaf is unset)."""
        return float(self._tree[1])
