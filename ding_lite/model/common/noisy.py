"""Noisy linear layers (Fortunato et al., 2018, factorised Gaussian noise) whose noise the policy draws.

The noise lives in buffers (so checkpoints hold it) and is redrawn by ``reset_noise(generator)`` from a
CPU generator the policy owns, so runs and resumes are exact on any device. In eval mode
(``module.eval()``) a layer uses its mean weights only.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

SIGMA0 = 0.5
"""The paper's initial noise scale for factorised noise (sigma = SIGMA0 / sqrt(fan_in))."""


class NoisyLinear(nn.Module):
    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight_mu = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias_mu = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        self.weight_sigma = nn.Parameter(torch.full((out_features, in_features), SIGMA0 * bound))
        self.bias_sigma = nn.Parameter(torch.full((out_features,), SIGMA0 * bound))
        self.register_buffer("weight_eps", torch.zeros(out_features, in_features))
        self.register_buffer("bias_eps", torch.zeros(out_features))

    @staticmethod
    def _scaled(noise: torch.Tensor) -> torch.Tensor:
        return noise.sign() * noise.abs().sqrt()

    @torch.no_grad()
    def reset_noise(self, generator: torch.Generator) -> None:
        eps_in = self._scaled(torch.randn(self.in_features, generator=generator))
        eps_out = self._scaled(torch.randn(self.out_features, generator=generator))
        self.weight_eps.copy_(torch.outer(eps_out, eps_in))
        self.bias_eps.copy_(eps_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return F.linear(x, self.weight_mu, self.bias_mu)
        return F.linear(x, self.weight_mu + self.weight_sigma * self.weight_eps,
                        self.bias_mu + self.bias_sigma * self.bias_eps)


def reset_noise(module: nn.Module, generator: torch.Generator) -> None:
    """Redraw the noise of every noisy layer in ``module``, in module order."""
    for layer in module.modules():
        if isinstance(layer, NoisyLinear):
            layer.reset_noise(generator)
