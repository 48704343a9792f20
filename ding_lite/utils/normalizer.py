"""Running mean / variance of observations, checkpointable (a state_dict of plain tensors)."""
from __future__ import annotations

import numpy as np
import torch


class RunningMeanStd:
    """Per-feature running statistics merged batch by batch (Chan et al.'s parallel update).

    ``normalize(x) = clip((x - mean) / sqrt(var + eps), -clip, clip)`` in float32. Statistics are
    kept in float64 so long runs do not drift. The initial ``count`` is a tiny pseudo-count (as in
    Stable-Baselines3's VecNormalize), so the first batch dominates and nothing divides by zero.
    """

    def __init__(self, shape: tuple[int, ...], clip: float = 10.0, eps: float = 1e-8,
                 initial_count: float = 1e-4) -> None:
        self.mean = np.zeros(shape, dtype=np.float64)
        self.var = np.ones(shape, dtype=np.float64)
        self.count = float(initial_count)
        self.clip = float(clip)
        self.eps = float(eps)
        self._refresh()

    def _refresh(self) -> None:
        self._mean32 = self.mean.astype(np.float32)
        self._inv_std32 = (1.0 / np.sqrt(self.var + self.eps)).astype(np.float32)

    def update(self, batch: np.ndarray) -> None:
        """Merge a ``[B, *shape]`` batch into the statistics."""
        batch = np.asarray(batch, dtype=np.float64).reshape(-1, *self.mean.shape)
        n = batch.shape[0]
        if n == 0:
            return
        b_mean, b_var = batch.mean(0), batch.var(0)
        total = self.count + n
        delta = b_mean - self.mean
        self.mean = self.mean + delta * (n / total)
        m2 = self.var * self.count + b_var * n + delta ** 2 * (self.count * n / total)
        self.var = m2 / total
        self.count = total
        self._refresh()

    def normalize(self, x: np.ndarray) -> np.ndarray:
        out = (np.asarray(x, dtype=np.float32) - self._mean32) * self._inv_std32
        return np.clip(out, -self.clip, self.clip, out=out)

    def state_dict(self) -> dict:
        return {"mean": torch.from_numpy(self.mean.copy()), "var": torch.from_numpy(self.var.copy()),
                "count": self.count}

    def load_state_dict(self, state: dict) -> None:
        mean, var = np.asarray(state["mean"], dtype=np.float64), np.asarray(state["var"], dtype=np.float64)
        if mean.shape != self.mean.shape or var.shape != self.var.shape:
            raise ValueError(f"normaliser state has shape {mean.shape}, this one has {self.mean.shape}")
        self.mean, self.var, self.count = mean.copy(), var.copy(), float(state["count"])
        self._refresh()
