"""``build_encoder``: the one place that decides MLP vs CNN from the observation shape."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ding_lite.model.common.mlp import mlp

CONV_KERNELS = (8, 4, 3)
CONV_STRIDES = (4, 2, 1)
"""DI-engine's ConvEncoder layout (the Nature-DQN stack): three convolutions, then one linear layer."""


def obs_dims(obs_shape: int | Sequence[int]) -> tuple[int, ...]:
    """``4`` and ``[4]`` are flat vectors; ``[C, H, W]`` is an image."""
    return (int(obs_shape),) if isinstance(obs_shape, int) else tuple(int(d) for d in obs_shape)


class ConvEncoder(nn.Module):
    """``[B, C, H, W]`` (uint8 frames or floats) -> ``[B, hidden_size_list[-1]]`` features.

    The first three widths are the convolutions' channels (kernels 8/4/3, strides 4/2/1), the last is the
    width of the final linear layer, as DI-engine's ConvEncoder reads the list. ``uint8`` frames are
    scaled to ``[0, 1]`` here, on the model's device, so they stay 1 byte everywhere before the model.
    """

    def __init__(self, obs_shape: tuple[int, int, int], hidden_size_list: Sequence[int],
                 activation: Callable[[], nn.Module] = nn.ReLU) -> None:
        super().__init__()
        if len(hidden_size_list) not in (3, 4):
            raise ValueError("a conv encoder takes 3 or 4 widths in encoder_hidden_size_list "
                             f"(three convolutions, then the linear width), got {list(hidden_size_list)}")
        layers: list[nn.Module] = []
        channels = obs_shape[0]
        for width, kernel, stride in zip(hidden_size_list[:3], CONV_KERNELS, CONV_STRIDES):
            layers += [nn.Conv2d(channels, width, kernel, stride), activation()]
            channels = width
        layers.append(nn.Flatten())
        self.main = nn.Sequential(*layers)
        with torch.no_grad():
            flat = self.main(torch.zeros(1, *obs_shape)).shape[1]
        self.mid = nn.Linear(flat, hidden_size_list[-1])
        self.act = activation()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.uint8:
            x = x.float().div_(255.0)
        return self.act(self.mid(self.main(x)))


def build_encoder(obs_shape: int | Sequence[int], encoder_hidden_size_list: Sequence[int],
                  activation: Callable[[], nn.Module] = nn.ReLU) -> nn.Module:
    """An MLP for flat observations, a ConvEncoder for ``[C, H, W]``; the output width is the list's last."""
    dims = obs_dims(obs_shape)
    if len(dims) == 1:
        return mlp([dims[0], *encoder_hidden_size_list], activation)
    if len(dims) == 3:
        return ConvEncoder(dims, encoder_hidden_size_list, activation)
    raise ValueError(f"obs_shape {list(dims)} is neither a flat vector nor [C, H, W]")

