"""Sampling, log-probabilities and entropies of the action distributions the policies use.

Random numbers come from a CPU generator and are then moved to the logits' device, so a run draws
the same numbers on any device and its generator state in the checkpoint means the same thing.
"""
from __future__ import annotations

import math

import torch

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def sample_categorical(log_p: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One action per row by inverse CDF: one uniform draw per row, whatever the number of actions."""
    u = torch.rand(log_p.shape[0], 1, generator=generator).to(log_p.device)
    return (log_p.exp().cumsum(-1) < u).sum(-1).clamp_(max=log_p.shape[-1] - 1)


def categorical_log_prob(log_p: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
    """``log_p`` is ``log_softmax(logits)``: callers build it once and also take the entropy from it.

    (With three uses of ``log_p``, the order a loss builds them in decides the order backward sums their
    gradients, i.e. the last bits of the result; each algorithm keeps its own.)
    """
    return log_p.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)


def categorical_entropy(log_p: torch.Tensor) -> torch.Tensor:
    return -(log_p.exp() * log_p).sum(-1)


def gaussian_log_prob(action: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """Summed over action dimensions: one log-probability per sample."""
    z = (action - mean) * torch.exp(-log_std)
    return (-0.5 * z.pow(2) - log_std - LOG_SQRT_2PI).sum(-1)


def gaussian_entropy(log_std: torch.Tensor) -> torch.Tensor:
    return (log_std + 0.5 + LOG_SQRT_2PI).sum(-1)


def sample_gaussian(mean: torch.Tensor, log_std: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    noise = torch.randn(mean.shape, generator=generator).to(mean.device)
    return mean + noise * log_std.exp()
