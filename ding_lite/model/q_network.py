"""Q-network = encoder + Q head, with DI-engine's DQN model key names."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ding_lite.config.keys import LITE, SHAPES, Key, all_resume
from ding_lite.config.rules import all_of, of_type, one_of, positive
from ding_lite.model.common.encoder import build_encoder
from ding_lite.model.common.head import HEADS, BranchingHead
from ding_lite.model.common.keys import action_shape, obs_shape, widths
from ding_lite.model.common.model import Model
from ding_lite.model.common.noisy import reset_noise

KEYS = all_resume(dict(
    obs_shape=obs_shape(4),
    action_shape=action_shape(2, "number of discrete actions"),
    action_space=Key("discrete", "Q-learning here is for discrete actions only", one_of("discrete"), di=LITE),
    encoder_hidden_size_list=Key([128, 128, 64], "encoder widths; the last is the feature size", widths),
    head_hidden_size=Key(None, "hidden width of the Q head (None: the encoder's last width)",
                         all_of(of_type(int), positive)),
    head_layer_num=Key(1, "hidden layers in the Q head", positive),
    dueling=Key(True, "dueling head: Q = V + A - mean(A)"),
), SHAPES)
"""``policy.model`` of the Q-learning family: every key shapes the saved weights."""


class QNetwork(Model):
    """``obs -> Q [B, action_shape]`` through ``q_values``; PyTorch's default layer initialisation.

    ``head`` names a head in ``HEADS`` (default: 'dueling' or 'discrete' as ``dueling`` says) and
    ``head_kwargs`` are its own keys (``n_atom``, ``num_quantiles``, ...); distributional heads add
    ``dist_logits`` or ``quantiles``.
    """

    def __init__(self, obs_shape: int | Sequence[int], action_shape: int, action_space: str = "discrete",
                 encoder_hidden_size_list: Sequence[int] = (128, 128, 64), head_hidden_size: int | None = None,
                 head_layer_num: int = 1, dueling: bool = True, head: str | None = None, **head_kwargs: Any) -> None:
        super().__init__()
        self.encoder = build_encoder(obs_shape, encoder_hidden_size_list)
        feature = encoder_hidden_size_list[-1]
        head_cls = HEADS[head or ("dueling" if dueling else "discrete")]
        if getattr(head_cls, "takes_dueling", False):
            head_kwargs["dueling"] = dueling
        self.head = head_cls(feature, head_hidden_size or feature, head_layer_num, action_shape, **head_kwargs)

    def upgrade_state_dict(self, state: dict) -> dict:
        """Before heads were modules, a checkpoint named the head's layers at the top level ('q.', 'advantage.')."""
        legacy = ("q.", "advantage.", "value.")
        return {f"head.{k}" if k.startswith(legacy) else k: v for k, v in state.items()}

    def q_values(self, obs: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
        return self.head.q_values(self.encoder(obs), *args)

    forward = q_values

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        """The encoder's output (ST-DIM's auxiliary loss reads it)."""
        return self.encoder(obs)

    def dist_logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self.head.dist_logits(self.encoder(obs))

    def quantiles(self, obs: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
        return self.head.quantiles(self.encoder(obs), *args)

    def fraction_quantiles(self, obs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """FQF: (quantiles at the proposed midpoints ``[B, N, A]``, fractions ``[B, N+1]``, midpoints ``[B, N]``,
        quantiles at the inner fractions ``[B, N-1, A]`` (no gradient: the fraction loss's probes), entropy ``[B]``)."""
        x = self.encoder(obs)
        taus, hats, entropy = self.head.fractions(x)
        with torch.no_grad():
            inner = self.head.quantiles(x, taus[:, 1:-1].detach())
        return self.head.quantiles(x, hats), taus, hats, inner, entropy

    def reset_noise(self, generator: torch.Generator) -> None:
        reset_noise(self, generator)


class BranchingQNetwork(Model):
    """BDQ's model (DI-engine's ``BDQ``): the encoder's features divided by ``num_branches + 1`` (the paper's
    gradient rescaling of the shared part), then a :class:`BranchingHead`; ``q_values`` is
    ``[B, num_branches, action_bins_per_branch]``."""

    def __init__(self, obs_shape: int | Sequence[int], num_branches: int, action_bins_per_branch: int,
                 layer_num: int = 3, a_layer_num: int | None = None, v_layer_num: int | None = None,
                 encoder_hidden_size_list: Sequence[int] = (128, 128, 64), head_hidden_size: int | None = None) -> None:
        super().__init__()
        self.encoder = build_encoder(obs_shape, encoder_hidden_size_list)
        feature = encoder_hidden_size_list[-1]
        self.shares = num_branches + 1
        self.head = BranchingHead(feature, head_hidden_size or feature, layer_num, num_branches,
                                  action_bins_per_branch, a_layer_num, v_layer_num)

    def q_values(self, obs: torch.Tensor) -> torch.Tensor:
        return self.head.q_values(self.encoder(obs) / self.shares)

    forward = q_values


class TwinQNetwork(Model):
    """SQN's model (DI-engine's ``SQN``): two independent Q-networks; acting reads the first (``q_values``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.q0, self.q1 = QNetwork(**kwargs), QNetwork(**kwargs)

    def q_values(self, obs: torch.Tensor) -> torch.Tensor:
        return self.q0.q_values(obs)

    forward = q_values

    def twin_q_values(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.q0.q_values(obs), self.q1.q_values(obs)
