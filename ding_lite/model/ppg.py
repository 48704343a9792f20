"""PPG's networks (Cobbe et al., 2020): a VAC whose critic head is the *auxiliary* value head, plus a
separate value network.

The value network (its own encoder and head, the VAC critic's widths) gives ``value()`` and
``forward()``'s value, so the family's collect and GAE use it; the VAC head (``aux_value()``) is
trained only in the auxiliary phase, distilling the value into the policy's features.
"""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from ding_lite.model.common.encoder import build_encoder
from ding_lite.model.common.mlp import mlp, orthogonal_init, run_layers
from ding_lite.model.vac import VAC, ActorOut, layer_factory


class PPGModel(VAC):
    def __init__(self, **vac_kwargs: Any) -> None:
        super().__init__(**vac_kwargs)
        hidden = vac_kwargs.get("critic_head_hidden_size", 128)
        widths = list(vac_kwargs.get("encoder_hidden_size_list", (64, 64, 128)))
        act = layer_factory(vac_kwargs.get("activation"))  # the VAC's activation and critic depth, here too
        self.value_encoder = build_encoder(vac_kwargs["obs_shape"], widths, act)
        head = [widths[-1]] + [hidden] * vac_kwargs.get("critic_head_layer_num", 1)
        self.value_head = nn.Sequential(mlp(head, act), nn.Linear(head[-1], 1))
        orthogonal_init(self.value_encoder, math.sqrt(2))
        orthogonal_init(self.value_head, math.sqrt(2))
        orthogonal_init(self.value_head[-1], 1.0)

    def forward(self, obs: torch.Tensor) -> tuple[ActorOut, torch.Tensor]:
        """(actor output, the value network's value)."""
        return self.actor(obs), self.value(obs)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return run_layers(self.value_head, run_layers(self.value_encoder, obs)).squeeze(-1)

    def aux_value(self, obs: torch.Tensor) -> tuple[ActorOut, torch.Tensor]:
        """(actor output, the auxiliary head's value), the encoder run once when shared."""
        return super().forward(obs)

    def value_parameters(self) -> list[nn.Parameter]:
        return [*self.value_encoder.parameters(), *self.value_head.parameters()]

    def aux_head_parameters(self) -> list[nn.Parameter]:
        """The VAC critic's parameters that the actor does not use (the auxiliary head, its own encoder if any)."""
        own = {id(p) for p in [*self.actor_parameters(), *self.value_parameters()]}
        return [p for p in self.parameters() if id(p) not in own]
