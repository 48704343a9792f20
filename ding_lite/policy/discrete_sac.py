"""Discrete SAC (Christodoulou, 2019): a categorical actor and twin Q critics over every action.

Expectations over the finite action set replace SAC's samples (``discrete_sac_target``,
``discrete_sac_policy_loss``). Collecting follows DI-engine's ``eps_greedy_multinomial_sample``: with
probability epsilon (``other.eps``, over the collector's env steps) a uniform action, otherwise one sampled
from the actor's softmax; evaluation takes the argmax. The registry key is DI-engine's ``policy.type``.
"""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.config.keys import SHAPES, Key
from ding_lite.config.rules import one_of
from ding_lite.model.common.distributions import sample_categorical
from ding_lite.model.qac import DiscreteQAC
from ding_lite.policy.epsilon_greedy import EpsilonGreedy
from ding_lite.policy.sac import SACPolicy
from ding_lite.rl_utils.ac_losses import discrete_sac_policy_loss, discrete_sac_target


class DiscreteSACPolicy(EpsilonGreedy, SACPolicy):
    name = "discrete_sac"
    discrete = True
    config: ClassVar[dict] = dict(
        type="discrete_sac",
        model=dict(action_space=Key("discrete", "a categorical actor and per-action Q critics", one_of("discrete"),
                                    resume=SHAPES), action_shape=2, obs_shape=4),
    )

    def __init__(self, cfg: dict, seed: int, action_space=None) -> None:
        super().__init__(cfg, seed, action_space)
        self.init_epsilon(cfg)

    def build_model(self) -> torch.nn.Module:
        return DiscreteQAC(**self.cfg["model"])

    def init_actor(self) -> None:
        """DI-engine applies ``init_w`` only to the continuous actor."""

    def random_actions(self, n: int) -> torch.Tensor:
        return self.randint(self.action_shape, (n,), self.collect_generator)

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        """Uniform with probability epsilon, else sampled from the actor (the same draws whatever epsilon is)."""
        n = obs.shape[0]
        u = self.rand((n,), self.collect_generator)
        uniform = self.random_actions(n)
        sampled = sample_categorical(torch.log_softmax(self.model.logits(obs), -1), self.collect_generator)
        return torch.where(u < self.epsilon(), uniform, sampled)

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        return self.model.logits(obs).argmax(-1)

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        obs, boot = batch["obs"], batch["bootstrap_obs"]
        alpha = self.temperature.alpha()
        with torch.no_grad():
            target = discrete_sac_target(*self.target_model.q_values(boot), self.model.logits(boot),
                                         batch["returns"], batch["discount"], alpha)
        q1, q2 = self.model.q_values(obs)
        taken = batch["action"].long().unsqueeze(1)
        q1, q2 = q1.gather(1, taken).squeeze(1), None if q2 is None else q2.gather(1, taken).squeeze(1)
        out = self.critic_step(q1, q2, target, batch)
        if self.actor_due():
            with torch.no_grad():
                q_all = self.model.q_values(obs)
            policy_loss, policy_info = discrete_sac_policy_loss(self.model.logits(obs), *q_all, alpha)
            self.optimize(policy_loss, self.actor_optimizer, None)
            out.update(policy_loss=policy_loss.item(), entropy=policy_info["entropy"].item(),
                       **self.update_alpha(-policy_info["entropy"]))
        self.after_update()
        return {**out, "alpha": self.temperature.alpha().item(), "cur_lr_q": self.critic_optimizer.lr,
                "cur_lr_p": self.actor_optimizer.lr, "epsilon": self.epsilon()}
