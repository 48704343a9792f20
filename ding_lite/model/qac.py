"""Q actor-critic models with DI-engine's ``QAC`` key names: an actor and one or two Q critics.

``ContinuousQAC`` (DDPG/TD3's ``action_space='regression'``, SAC's ``'reparameterization'``) and
``DiscreteQAC`` (discrete SAC). As in DI-engine, ``encoder_hidden_size_list=None`` feeds flat observations
straight into the heads (each head starts with ``Linear(input, hidden)`` + ReLU, then ``*_head_layer_num``
hidden layers, then its output); a list puts a ``build_encoder`` (MLP, or conv for ``[C, H, W]``) in front of
the actor and of each critic. The twin critic is a second, independently initialised critic. Policies call
``actor``, ``critic`` / ``q_values``, ``logits`` and the parameter groups, never the submodules.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ding_lite.config.keys import SHAPES, Key, all_resume
from ding_lite.config.rules import non_negative, positive
from ding_lite.model.common.encoder import build_encoder, obs_dims
from ding_lite.model.common.keys import action_shape, obs_shape, widths
from ding_lite.model.common.mlp import mlp, run_layers
from ding_lite.model.common.model import Model

ACTION_SPACES = ("regression", "reparameterization")
LOG_STD_RANGE = (-20.0, 2.0)
"""DI-engine's clamp of the conditioned log-std (ReparameterizationHead)."""


def _encoder_widths(value: object) -> str | None:
    if value is None or not widths(value):
        return None
    return "be None (flat observations straight into the heads) or a non-empty list of positive ints"


KEYS = all_resume(dict(
    obs_shape=obs_shape(3),
    action_shape=action_shape(1, "action dimensions (discrete SAC: number of actions)"),
    action_space=Key("regression", "'regression' (deterministic tanh actor: DDPG, TD3), 'reparameterization' (SAC)"),
    twin_critic=Key(False, "two critics, the smaller target taken (TD3, SAC)"),
    actor_head_hidden_size=Key(64, "width of the actor's layers", positive),
    actor_head_layer_num=Key(1, "hidden layers after the actor's first one", non_negative),
    critic_head_hidden_size=Key(64, "width of each critic's layers", positive),
    critic_head_layer_num=Key(1, "hidden layers after each critic's first one", non_negative),
    encoder_hidden_size_list=Key(None, "None: flat obs go straight into the heads; a list: an encoder in front",
                                 _encoder_widths),
    share_encoder=Key(False, "with an encoder: one encoder for the actor and the critics"),
), SHAPES)
"""``policy.model`` of the off-policy actor-critic family: every key shapes the saved weights."""


def _head(fan_in: int, hidden: int, layer_num: int, out: int) -> nn.Sequential:
    return nn.Sequential(mlp([fan_in] + [hidden] * (layer_num + 1)), nn.Linear(hidden, out))


class _Encoders(Model):
    """The actor's and the critics' encoders (identity without ``encoder_hidden_size_list``)."""

    def _build_encoders(self, obs_shape: int | Sequence[int], hidden: Sequence[int] | None, share: bool) -> int:
        if hidden is None:
            if len(obs_dims(obs_shape)) != 1:
                raise ValueError("image observations need policy.model.encoder_hidden_size_list (a conv encoder)")
            self.actor_encoder = self.critic_encoder = nn.Identity()
            return obs_dims(obs_shape)[0]
        self.actor_encoder = build_encoder(obs_shape, hidden)
        self.critic_encoder = self.actor_encoder if share else build_encoder(obs_shape, hidden)
        return hidden[-1]

    def _critic_modules(self) -> list[nn.Module]:
        shared = self.critic_encoder is self.actor_encoder
        return ([] if shared else [self.critic_encoder]) + [c for c in (self.critic1, self.critic2) if c is not None]

    def actor_parameters(self) -> list[nn.Parameter]:
        return [p for m in (self.actor_encoder, self.actor_head) for p in m.parameters()]

    def critic_parameters(self) -> list[nn.Parameter]:
        """With a shared encoder, the encoder learns from the actor's loss only (it is in actor_parameters)."""
        return [p for m in self._critic_modules() for p in m.parameters()]


class ContinuousQAC(_Encoders):
    def __init__(self, obs_shape: int | Sequence[int], action_shape: int, action_space: str = "regression",
                 twin_critic: bool = False, actor_head_hidden_size: int = 64, actor_head_layer_num: int = 1,
                 critic_head_hidden_size: int = 64, critic_head_layer_num: int = 1,
                 encoder_hidden_size_list: Sequence[int] | None = None, share_encoder: bool = False) -> None:
        super().__init__()
        if action_space not in ACTION_SPACES:
            raise ValueError(f"action_space must be one of {ACTION_SPACES}, got {action_space!r}")
        self.action_space = action_space
        feature = self._build_encoders(obs_shape, encoder_hidden_size_list, share_encoder)
        outputs = action_shape * (2 if action_space == "reparameterization" else 1)  # (mean, log_std) for SAC
        self.actor_head = _head(feature, actor_head_hidden_size, actor_head_layer_num, outputs)
        self.critic1 = _head(feature + action_shape, critic_head_hidden_size, critic_head_layer_num, 1)
        self.critic2 = (_head(feature + action_shape, critic_head_hidden_size, critic_head_layer_num, 1)
                        if twin_critic else None)

    def actor(self, obs: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """regression: the action in [-1, 1]; reparameterization: (mean, log_std) of the pre-tanh Gaussian."""
        out = run_layers(self.actor_head, run_layers(self.actor_encoder, obs))
        if self.action_space == "regression":
            return torch.tanh(out)
        mean, log_std = out.chunk(2, -1)
        return mean, log_std.clamp(*LOG_STD_RANGE)

    def critic(self, obs: torch.Tensor, action: torch.Tensor,
               twin: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(Q1, Q2)`` of shape ``[B]``; Q2 is None without a twin or with ``twin=False`` (TD3's actor loss)."""
        x = torch.cat([run_layers(self.critic_encoder, obs), action], -1)
        q1 = run_layers(self.critic1, x).squeeze(-1)
        return q1, None if self.critic2 is None or not twin else run_layers(self.critic2, x).squeeze(-1)

    def init_actor_output(self, init_w: float) -> None:
        """SAC's ``init_w``: the mean and log-std outputs start uniform in [-init_w, init_w] (DI-engine)."""
        out = self.actor_head[-1]
        with torch.no_grad():
            out.weight.uniform_(-init_w, init_w)
            out.bias.uniform_(-init_w, init_w)


class DistributionalQAC(ContinuousQAC):
    """D4PG's model (DI-engine's ``QACDIST``): DDPG's actor, and a critic whose output is ``n_atom`` logits of a
    categorical return distribution on ``linspace(v_min, v_max, n_atom)``; its Q is the distribution's mean."""

    def __init__(self, obs_shape: int | Sequence[int], action_shape: int, action_space: str = "regression",
                 actor_head_hidden_size: int = 64, actor_head_layer_num: int = 1, critic_head_hidden_size: int = 64,
                 critic_head_layer_num: int = 1, encoder_hidden_size_list: Sequence[int] | None = None,
                 share_encoder: bool = False, v_min: float = -10.0, v_max: float = 10.0, n_atom: int = 51,
                 twin_critic: bool = False) -> None:
        super().__init__(obs_shape, action_shape, action_space, False, actor_head_hidden_size, actor_head_layer_num,
                         critic_head_hidden_size, critic_head_layer_num, encoder_hidden_size_list, share_encoder)
        fan_in = self.critic1[0][0].in_features  # features + action, as DDPG's critic
        self.critic1 = _head(fan_in, critic_head_hidden_size, critic_head_layer_num, n_atom)
        self.register_buffer("support", torch.linspace(v_min, v_max, n_atom), persistent=False)

    def critic_logits(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """``[B, n_atom]`` unnormalised log-probabilities of the return of ``action`` in ``obs``."""
        return run_layers(self.critic1, torch.cat([run_layers(self.critic_encoder, obs), action], -1))

    def critic(self, obs: torch.Tensor, action: torch.Tensor,
               twin: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        return (torch.softmax(self.critic_logits(obs, action), -1) * self.support).sum(-1), None


class DiscreteQAC(_Encoders):
    """Discrete SAC: the actor gives logits over the actions, each critic Q values for every action."""

    def __init__(self, obs_shape: int | Sequence[int], action_shape: int, twin_critic: bool = False,
                 actor_head_hidden_size: int = 64, actor_head_layer_num: int = 1, critic_head_hidden_size: int = 64,
                 critic_head_layer_num: int = 1, encoder_hidden_size_list: Sequence[int] | None = None,
                 share_encoder: bool = False, action_space: str = "discrete") -> None:
        super().__init__()
        feature = self._build_encoders(obs_shape, encoder_hidden_size_list, share_encoder)
        self.actor_head = _head(feature, actor_head_hidden_size, actor_head_layer_num, action_shape)
        self.critic1 = _head(feature, critic_head_hidden_size, critic_head_layer_num, action_shape)
        self.critic2 = (_head(feature, critic_head_hidden_size, critic_head_layer_num, action_shape)
                        if twin_critic else None)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return run_layers(self.actor_head, run_layers(self.actor_encoder, obs))

    def q_values(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(Q1, Q2)`` of shape ``[B, A]`` (Q2 None without a twin)."""
        x = run_layers(self.critic_encoder, obs)
        return run_layers(self.critic1, x), None if self.critic2 is None else run_layers(self.critic2, x)
