"""SAC (Haarnoja et al., 2018): a tanh-squashed Gaussian actor, twin critics, an entropy temperature alpha.

``learn.auto_alpha`` trains alpha towards ``learn.target_entropy`` (None: minus the action count, DI-engine's
choice), as ``log(alpha)`` with ``learn.log_space`` (else alpha itself, kept >= 0). The temperature is a
registered module, its optimizer a registered optimizer, so both are in every checkpoint. Discrete SAC
(``discrete_sac.py``) reuses this temperature and changes the losses.
"""
from __future__ import annotations

import math
from typing import ClassVar

import torch
from torch import nn

from ding_lite.config import ConfigError
from ding_lite.config.keys import IGNORED, SHAPES, Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.policy.actor_critic_off import ActorCriticOff
from ding_lite.rl_utils.ac_losses import (
    sac_alpha_loss,
    sac_policy_loss,
    tanh_gaussian_sample,
    twin_q_target,
)


class Temperature(nn.Module):
    """alpha, stored as ``log(alpha)`` (``log_space``) or as itself."""

    def __init__(self, alpha: float, log_space: bool) -> None:
        super().__init__()
        self.log_space = log_space
        self.value = nn.Parameter(torch.tensor([math.log(alpha) if log_space else alpha], dtype=torch.float32))

    def alpha(self) -> torch.Tensor:
        """The current alpha as a constant."""
        value = self.value.detach()
        return value.exp() if self.log_space else value

    @torch.no_grad()
    def clamp_(self) -> None:
        if not self.log_space:
            self.value.clamp_(min=0.0)


class SACPolicy(ActorCriticOff):
    name = "sac"
    config: ClassVar[dict] = dict(
        type="sac",
        random_collect_size=10000,
        other=dict(replay_buffer=dict(replay_buffer_size=1000000)),
        transition_with_policy_data=Key(True, "DI-engine internal flag: transitions here need nothing from the policy",
                                        di=IGNORED),
        model=dict(action_space=Key("reparameterization", "the squashed Gaussian actor",
                                    one_of("reparameterization"), resume=SHAPES), twin_critic=True),
        learn=dict(
            learning_rate_q=Key(3e-4, "Adam step size of the critics", positive),
            learning_rate_policy=Key(3e-4, "Adam step size of the actor", positive),
            learning_rate_alpha=Key(3e-4, "Adam step size of the temperature (auto_alpha)", positive),
            alpha=Key(0.2, "entropy temperature (its start value with auto_alpha)", non_negative),
            auto_alpha=Key(True, "learn alpha so the policy's entropy tracks target_entropy"),
            log_space=Key(True, "auto_alpha learns log(alpha) (else alpha itself, clamped at 0)"),
            target_entropy=Key(None, "None: minus the number of action dimensions"),
            init_w=Key(3e-3, "the actor's mean/log-std outputs start uniform in [-init_w, init_w]", positive),
            reparameterization=Key(True, "DI-engine's older SAC key (0.5.3 no longer reads it): the actor's loss "
                                   "always backpropagates through the sampled action here", one_of(True), di=IGNORED),
        ),
        collect=dict(collector_logit=Key(False, "logits are not stored (must be False)", one_of(False))),
    )

    def __init__(self, cfg: dict, seed: int, action_space=None) -> None:
        learn = cfg["learn"]
        if learn["auto_alpha"] and learn["alpha"] <= 0:
            raise ConfigError(f"config key 'policy.learn.alpha' is {learn['alpha']}, but auto_alpha needs a "
                              "positive starting temperature.")
        super().__init__(cfg, seed, action_space)
        self.init_actor()
        self.critic_optimizer = self.make_optimizer("critic_optimizer", self.model.critic_parameters(),
                                                    "learning_rate_q")
        self.actor_optimizer = self.make_optimizer("actor_optimizer", self.model.actor_parameters(),
                                                   "learning_rate_policy")
        self.temperature = self.register("temperature", Temperature(learn["alpha"], learn["log_space"]).to(self.device))
        if learn["auto_alpha"]:
            self.alpha_optimizer = self.make_optimizer("alpha_optimizer", self.temperature.parameters(),
                                                       "learning_rate_alpha")
        self.target_entropy = (-float(cfg["model"]["action_shape"]) if learn["target_entropy"] is None
                               else float(learn["target_entropy"]))

    def init_actor(self) -> None:
        """DI-engine's ``init_w`` on the online actor's outputs; the target starts as a copy again."""
        self.model.init_actor_output(self.cfg["learn"]["init_w"])
        self.target_model.load_state_dict(self.model.state_dict())

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        action, _ = tanh_gaussian_sample(*self.model.actor(obs), self.collect_generator)
        return action

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        mean, _ = self.model.actor(obs)
        return torch.tanh(mean)

    def update_alpha(self, expected_logp: torch.Tensor) -> dict[str, float]:
        """One temperature step (auto_alpha) from the policy's (expected) log-probabilities."""
        if not self.cfg["learn"]["auto_alpha"]:
            return {}
        value = self.temperature.value
        if self.temperature.log_space:
            loss, _ = sac_alpha_loss(value, expected_logp, self.target_entropy)
        else:  # DI-engine's linear-space variant: the same gradient direction, on alpha itself
            loss = -(value * (expected_logp.detach() + self.target_entropy)).mean()
        self.optimize(loss, self.alpha_optimizer, None)
        self.temperature.clamp_()
        return {"alpha_loss": loss.item()}

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        obs, boot = batch["obs"], batch["bootstrap_obs"]
        alpha = self.temperature.alpha()
        with torch.no_grad():
            next_action, next_logp = tanh_gaussian_sample(*self.model.actor(boot), self.learn_generator)
            target = twin_q_target(*self.target_model.critic(boot, next_action), batch["returns"],
                                   batch["discount"], alpha, next_logp)
        q1, q2 = self.model.critic(obs, batch["action"])
        out = self.critic_step(q1, q2, target, batch)
        if self.actor_due():
            action, logp = tanh_gaussian_sample(*self.model.actor(obs), self.learn_generator)
            with self.critic_frozen():
                policy_loss, policy_info = sac_policy_loss(*self.model.critic(obs, action), logp, alpha)
                self.optimize(policy_loss, self.actor_optimizer, None)
            out.update(policy_loss=policy_loss.item(), entropy=policy_info["entropy"].item(),
                       **self.update_alpha(logp))
        self.after_update()
        return {**out, "alpha": self.temperature.alpha().item(), "cur_lr_q": self.critic_optimizer.lr,
                "cur_lr_p": self.actor_optimizer.lr}
