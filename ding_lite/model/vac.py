"""Value actor-critic (DI-engine's VAC key names): encoder(s) + an actor head + a critic head.

The actor head gives logits for discrete actions, ``(mean, log_std)`` for continuous ones. Policies
call ``forward`` (both heads), ``actor`` and ``value``, never the submodules.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ding_lite.config.keys import LITE, SHAPES, Key, all_resume
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.model.common.encoder import build_encoder
from ding_lite.model.common.keys import action_shape, obs_shape, widths
from ding_lite.model.common.mlp import mlp, orthogonal_init, run_layers
from ding_lite.model.common.model import Model

ActorOut = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def activation_rule(value: object) -> str | None:
    """``activation`` is None or a torch.nn module instance (DI-engine passes ``nn.Tanh()``)."""
    return None if value is None or isinstance(value, nn.Module) else "be None or a torch.nn module such as nn.Tanh()"


KEYS = all_resume(dict(
    obs_shape=obs_shape(4),
    action_shape=action_shape(2),
    action_space=Key("discrete", "'discrete' (categorical head) or 'continuous' (Gaussian head)",
                     one_of("discrete", "continuous")),
    encoder_hidden_size_list=Key([128, 128, 64], "encoder widths; the last is the feature size", widths),
    actor_head_hidden_size=Key(64, "hidden width of the actor head", positive),
    critic_head_hidden_size=Key(64, "hidden width of the critic head", positive),
    share_encoder=Key(True, "one encoder for actor and critic"),
    sigma_type=Key("independent", "continuous only: 'independent' (state-free log-std) or 'conditioned'"),
    init_log_std=Key(0.0, "continuous only: initial log standard deviation", di=LITE),
    actor_head_layer_num=Key(1, "hidden layers of the actor head (0: the output reads the features)", non_negative),
    critic_head_layer_num=Key(1, "hidden layers of the critic head", non_negative),
    activation=Key(None, "the layers' activation, a torch.nn module such as nn.Tanh() (None: ReLU)", activation_rule),
    bound_type=Key(None, "continuous only: 'tanh' squashes the Gaussian's mean into [-1, 1]", one_of(None, "tanh")),
), SHAPES)
"""``policy.model`` of the on-policy family: every key shapes the saved weights."""


def layer_factory(activation: nn.Module | None) -> Callable[[], nn.Module]:
    """One activation module per layer (DI-engine shares one instance; parameter-free, so the same numbers)."""
    return nn.ReLU if activation is None else lambda: activation


class VAC(Model):
    """Orthogonal initialisation (gain sqrt 2, 0.01 for the actor output, 1 for the value output)."""

    def __init__(self, obs_shape: int | Sequence[int], action_shape: int, action_space: str = "discrete",
                 encoder_hidden_size_list: Sequence[int] = (64, 64, 128), actor_head_hidden_size: int = 128,
                 critic_head_hidden_size: int = 128, share_encoder: bool = True,
                 sigma_type: str = "independent", init_log_std: float = 0.0, actor_head_layer_num: int = 1,
                 critic_head_layer_num: int = 1, activation: nn.Module | None = None,
                 bound_type: str | None = None) -> None:
        super().__init__()
        self.action_space = action_space
        self.sigma_type = sigma_type
        self.bound_type = bound_type
        act = layer_factory(activation)
        self.actor_encoder = build_encoder(obs_shape, encoder_hidden_size_list, act)
        self.critic_encoder = (self.actor_encoder if share_encoder
                               else build_encoder(obs_shape, encoder_hidden_size_list, act))
        feature = encoder_hidden_size_list[-1]
        actor_widths = [feature] + [actor_head_hidden_size] * actor_head_layer_num
        critic_widths = [feature] + [critic_head_hidden_size] * critic_head_layer_num
        self.actor_body = mlp(actor_widths, act)
        self.actor_out = nn.Linear(actor_widths[-1], action_shape)
        self.critic = nn.Sequential(mlp(critic_widths, act), nn.Linear(critic_widths[-1], 1))
        orthogonal_init(self, math.sqrt(2))
        orthogonal_init(self.actor_out, 0.01)
        orthogonal_init(self.critic[-1], 1.0)
        if action_space == "continuous":
            if sigma_type == "conditioned":
                self.log_std_out = nn.Linear(actor_widths[-1], action_shape)
                orthogonal_init(self.log_std_out, 0.01)
                nn.init.constant_(self.log_std_out.bias, init_log_std)
            else:
                self.log_std = nn.Parameter(torch.full((action_shape,), float(init_log_std)))

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        """The (actor's) encoder output (ST-DIM's auxiliary loss reads it)."""
        return run_layers(self.actor_encoder, obs)

    def forward(self, obs: torch.Tensor) -> tuple[ActorOut, torch.Tensor]:
        """(actor output, value) with the encoder run once when it is shared."""
        feature = run_layers(self.actor_encoder, obs)
        shared = self.critic_encoder is self.actor_encoder
        critic_feature = feature if shared else run_layers(self.critic_encoder, obs)
        value = run_layers(self.critic, critic_feature).squeeze(-1)
        return self._actor_head(feature), value

    def actor(self, obs: torch.Tensor) -> ActorOut:
        return self._actor_head(run_layers(self.actor_encoder, obs))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return run_layers(self.critic, run_layers(self.critic_encoder, obs)).squeeze(-1)

    def actor_parameters(self) -> list[nn.Parameter]:
        """The parameters the actor output depends on (a policy without a critic loss optimises only these)."""
        parts = [self.actor_encoder, self.actor_body, self.actor_out]
        params = [p for part in parts for p in part.parameters()]
        if self.action_space == "continuous":
            params += list(self.log_std_out.parameters()) if self.sigma_type == "conditioned" else [self.log_std]
        return params

    def _actor_head(self, feature: torch.Tensor) -> ActorOut:
        actor_feature = run_layers(self.actor_body, feature)
        out = F.linear(actor_feature, self.actor_out.weight, self.actor_out.bias)
        if self.action_space != "continuous":
            return out
        if self.bound_type == "tanh":
            out = torch.tanh(out)
        if self.sigma_type == "conditioned":
            log_std = self.log_std_out(actor_feature).clamp(-20.0, 2.0)
        else:
            log_std = self.log_std.expand_as(out)
        return out, log_std
