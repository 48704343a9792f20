"""Q heads on top of an encoder's features, from a table keyed by DI-engine's head names.

Each head maps ``[B, hidden]`` features to ``[B, action_shape]`` Q values through ``q_values``;
distributional heads add what their loss needs (``dist_logits``, ``quantiles``). Construction order
is fixed (it decides the initial weights under a seed), and PyTorch's default initialisation is
kept, as in DI-engine's DQN.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ding_lite.model.common.mlp import mlp
from ding_lite.model.common.noisy import NoisyLinear


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


def _layers(widths: list[int], out: int, noisy: bool) -> nn.Sequential:
    if noisy:
        return nn.Sequential(mlp(widths, linear=NoisyLinear), NoisyLinear(widths[-1], out))
    return nn.Sequential(mlp(widths), nn.Linear(widths[-1], out))


class DistributionHead(nn.Module):
    """C51: a categorical distribution over ``n_atom`` fixed returns in ``[v_min, v_max]`` per action.

    ``dueling`` and ``noisy`` make it Rainbow's head (value and advantage streams of noisy layers).
    """

    takes_dueling = True

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int, n_atom: int = 51,
                 v_min: float = -10.0, v_max: float = 10.0, dueling: bool = False, noisy: bool = False) -> None:
        super().__init__()
        widths = [hidden_in] + [hidden] * layer_num
        self.action_shape, self.n_atom, self.dueling = action_shape, n_atom, dueling
        self.advantage = _layers(widths, action_shape * n_atom, noisy)
        if dueling:
            self.value = _layers(widths, n_atom, noisy)
        self.register_buffer("support", torch.linspace(v_min, v_max, n_atom), persistent=False)

    def dist_logits(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, A, n_atom]`` unnormalised log-probabilities."""
        adv = self.advantage(x).view(-1, self.action_shape, self.n_atom)
        if not self.dueling:
            return adv
        return self.value(x).unsqueeze(1) + adv - adv.mean(1, keepdim=True)

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.softmax(self.dist_logits(x), -1) * self.support).sum(-1)


class QRDQNHead(nn.Module):
    """QR-DQN: ``num_quantiles`` return quantiles per action at fixed fractions; Q is their mean."""

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int,
                 num_quantiles: int = 32) -> None:
        super().__init__()
        self.action_shape, self.num_quantiles = action_shape, num_quantiles
        self.q = _layers([hidden_in] + [hidden] * layer_num, action_shape * num_quantiles, noisy=False)

    def quantiles(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, A, N]``."""
        return self.q(x).view(-1, self.action_shape, self.num_quantiles)

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        return self.quantiles(x).mean(-1)


class RainbowHead(DistributionHead):
    """Rainbow's head: the distribution head with value and advantage streams of noisy layers."""

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int, n_atom: int = 51,
                 v_min: float = -10.0, v_max: float = 10.0, dueling: bool = True, noisy: bool = True) -> None:
        super().__init__(hidden_in, hidden, layer_num, action_shape, n_atom, v_min, v_max, dueling, noisy)


class QuantileHead(nn.Module):
    """IQN: quantiles at any fractions ``taus`` via a cosine embedding multiplied into the features.

    ``phi(tau) = relu(W cos(pi * i * tau) + b)`` for ``i = 0..quantile_embedding_size-1``. Without
    ``taus``, ``q_values`` uses ``num_quantiles`` evenly spaced midpoints, so acting is deterministic.
    """

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int, num_quantiles: int = 32,
                 quantile_embedding_size: int = 128) -> None:
        super().__init__()
        self.num_quantiles = num_quantiles
        self.embed = nn.Linear(quantile_embedding_size, hidden_in)
        self.q = _layers([hidden_in] + [hidden] * layer_num, action_shape, noisy=False)
        self.register_buffer("freqs", math.pi * torch.arange(quantile_embedding_size, dtype=torch.float32),
                             persistent=False)

    def quantiles(self, x: torch.Tensor, taus: torch.Tensor) -> torch.Tensor:
        """``[B, N, A]`` at ``taus`` ``[B, N]``."""
        phi = torch.relu(self.embed(torch.cos(taus.unsqueeze(-1) * self.freqs)))  # [B, N, hidden_in]
        return self.q(x.unsqueeze(1) * phi)

    def q_values(self, x: torch.Tensor, taus: torch.Tensor | None = None) -> torch.Tensor:
        if taus is None:
            n = self.num_quantiles
            taus = ((torch.arange(n, device=x.device, dtype=x.dtype) + 0.5) / n).expand(x.shape[0], n)
        return self.quantiles(x, taus).mean(1)


class FQFHead(nn.Module):
    """FQF (Yang et al., 2019): a fraction proposal picks ``num_quantiles`` fractions per state, the IQN-style
    cosine embedding evaluates the quantiles at their midpoints; Q is their plain mean (as DI-engine's head).

    The proposal reads detached features (the fraction loss never moves the encoder) and is initialised as
    DI-engine's (xavier-uniform, gain 0.01, zero bias: near-equal fractions at first). The embedding uses
    ``cos(pi * i * tau)`` for ``i = 1..quantile_embedding_size``, DI-engine's FQF indexing.
    """

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, action_shape: int, num_quantiles: int = 32,
                 quantile_embedding_size: int = 128) -> None:
        super().__init__()
        self.q = _layers([hidden_in] + [hidden] * layer_num, action_shape, noisy=False)
        self.embed = nn.Sequential(nn.Linear(quantile_embedding_size, hidden_in), nn.ReLU())
        self.proposal = nn.Linear(hidden_in, num_quantiles)
        nn.init.xavier_uniform_(self.proposal.weight, gain=0.01)
        nn.init.constant_(self.proposal.bias, 0.0)
        self.register_buffer("freqs", math.pi * torch.arange(1, quantile_embedding_size + 1, dtype=torch.float32),
                             persistent=False)

    def quantiles(self, x: torch.Tensor, taus: torch.Tensor) -> torch.Tensor:
        """``[B, N, A]`` at fractions ``taus`` ``[B, N]``."""
        return self.q(x.unsqueeze(1) * self.embed(torch.cos(taus.unsqueeze(-1) * self.freqs)))

    def fractions(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(fractions ``[B, N+1]`` from 0 to 1, their detached midpoints ``[B, N]``, the proposal's entropy ``[B]``)."""
        log_p = torch.log_softmax(self.proposal(x.detach()), -1)
        p = log_p.exp()
        taus = torch.cat([torch.zeros_like(p[:, :1]), torch.cumsum(p, 1)], 1)
        return taus, ((taus[:, 1:] + taus[:, :-1]) / 2).detach(), -(log_p * p).sum(-1)

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        return self.quantiles(x, self.fractions(x)[1]).mean(1)


class BranchingHead(nn.Module):
    """BDQ (Tavakoli et al., 2018): one state value and ``num_branches`` advantage branches of
    ``action_bins_per_branch`` bins; ``Q[b, k] = V + A_b[k] - mean_k A_b``, ``[B, num_branches, bins]``."""

    def __init__(self, hidden_in: int, hidden: int, layer_num: int, num_branches: int, action_bins_per_branch: int,
                 a_layer_num: int | None = None, v_layer_num: int | None = None) -> None:
        super().__init__()
        self.value = _layers([hidden_in] + [hidden] * (layer_num if v_layer_num is None else v_layer_num), 1, False)
        a_widths = [hidden_in] + [hidden] * (layer_num if a_layer_num is None else a_layer_num)
        self.branches = nn.ModuleList(_layers(a_widths, action_bins_per_branch, False) for _ in range(num_branches))

    def q_values(self, x: torch.Tensor) -> torch.Tensor:
        return branch_q_values(self.value(x), torch.stack([branch(x) for branch in self.branches], 1))


def branch_q_values(value: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    """BDQ's aggregation: ``value`` ``[B, 1]`` and per-branch ``advantages`` ``[B, branches, bins]`` ->
    ``V + A - mean over each branch's bins``, so every branch's Q has the shared state value as its mean."""
    return value.unsqueeze(1) + advantages - advantages.mean(2, keepdim=True)


HEADS: dict[str, type[nn.Module]] = {  # DI-engine's head names
    "discrete": DiscreteHead,
    "dueling": DuelingHead,
    "distribution": DistributionHead,
    "rainbow": RainbowHead,
    "qrdqn": QRDQNHead,
    "quantile": QuantileHead,  # IQN's (DI-engine's name)
    "fqf": FQFHead,
}
