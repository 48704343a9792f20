"""Q-network with DI-engine's DQN model key names (encoder list, dueling head)."""
from __future__ import annotations

import torch
from torch import nn

from ding_lite.model.actor_critic import mlp


def default_config() -> dict:
    return dict(
        obs_shape=4,  # observation size (flat vector envs)
        action_shape=2,  # number of discrete actions
        action_space="discrete",  # Q-learning here is for discrete actions only
        encoder_hidden_size_list=[128, 128, 64],  # encoder MLP widths (DI-engine's DQN default)
        head_hidden_size=None,  # hidden width of the Q head (None: the encoder's last width)
        head_layer_num=1,  # hidden layers in the Q head
        dueling=True,  # dueling head: Q = V + A - mean(A) (DI-engine's default)
    )


class QNetwork(nn.Module):
    """``obs [B, obs_shape] -> Q [B, action_shape]``; PyTorch's default layer initialisation."""

    def __init__(self, obs_shape: int, action_shape: int, action_space: str = "discrete",
                 encoder_hidden_size_list: list[int] = (128, 128, 64), head_hidden_size: int | None = None,
                 head_layer_num: int = 1, dueling: bool = True) -> None:
        super().__init__()
        sizes = [obs_shape, *encoder_hidden_size_list]
        self.encoder = mlp(sizes)
        feature = sizes[-1]
        hidden = head_hidden_size or feature
        self.dueling = dueling
        head = [feature] + [hidden] * head_layer_num
        if dueling:
            self.advantage = nn.Sequential(mlp(head), nn.Linear(hidden, action_shape))
            self.value = nn.Sequential(mlp(head), nn.Linear(hidden, 1))
        else:
            self.q = nn.Sequential(mlp(head), nn.Linear(hidden, action_shape))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        x = self.encoder(obs)
        if not self.dueling:
            return self.q(x)
        adv = self.advantage(x)
        return self.value(x) + adv - adv.mean(-1, keepdim=True)
