"""Q heads on top of an encoder's features, from a table keyed by DI-engine's head names.

Each head maps ``[B, hidden]`` features to ``[B, action_shape]`` Q values through ``q_values``;
distributional heads add what their loss needs. Construction order is fixed (it decides the initial
weights under a seed), and PyTorch's default initialisation is kept, as in DI-engine's DQN.
"""
from __future__ import annotations

import torch
from torch import nn

from ding_lite.model.common.mlp import mlp


class DiscreteHead(nn.Module):
    """Plain Q head: hidden layers, then one linear output per action."""

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int) -> None:
        super().__init__()
        self.q = nn.Sequential(mlp([hidden_in] + [hidden] * layer_num), nn.Linear(hidden, action_shape))

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        return self.q(x)


class DuelingHead(nn.Module):
    """``Q = V + A - mean(A)`` (Wang et al. 2016), DI-engine's default for DQN."""

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int) -> None:
        super().__init__()
        widths = [hidden_in] + [hidden] * layer_num
        self.advantage = nn.Sequential(mlp(widths), nn.Linear(hidden, action_shape))
        self.value = nn.Sequential(mlp(widths), nn.Linear(hidden, 1))

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        adv = self.advantage(x)
        return self.value(x) + adv - adv.mean(-1, keepdim=True)


HEADS: dict[str, type[nn.Module]] = {
    "discrete": DiscreteHead,
    "dueling": DuelingHead,
}
