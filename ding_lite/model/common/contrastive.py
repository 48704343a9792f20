"""ST-DIM's auxiliary model: two encoders over the main model's features (of an observation and of its successor),
each ``[128, 128, encode_shape * heads]`` as DI-engine's ``ContrastiveLoss`` builds them for flat features."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ding_lite.model.common.encoder import build_encoder
from ding_lite.rl_utils.contrastive import infonce_loss


class ContrastiveHeads(nn.Module):
    def __init__(self, feature_size: int, encode_shape: int = 64, heads: Sequence[int] = (1, 1),
                 temperature: float = 1.0) -> None:
        super().__init__()
        self.encode_shape, self.heads, self.temperature = encode_shape, tuple(heads), temperature
        self.x_encoder = build_encoder(feature_size, [128, 128, encode_shape * self.heads[0]])
        self.y_encoder = build_encoder(feature_size, [128, 128, encode_shape * self.heads[1]])

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """InfoNCE of features ``x`` (observations) against ``y`` (successors), both ``[N, feature_size]``."""
        n = x.shape[0]
        return infonce_loss(self.x_encoder(x).view(n, self.heads[0], self.encode_shape),
                            self.y_encoder(y).view(n, self.heads[1], self.encode_shape), self.temperature)
