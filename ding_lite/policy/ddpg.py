"""DDPG (Lillicrap et al., 2016): a deterministic tanh actor, a Q critic, Gaussian exploration noise.

TD3 is this policy's config plus ``twin_critic``, a delayed actor and target policy smoothing
(``learn.noise``), so both share ``learn_step``.
"""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.config.keys import SHAPES, Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.policy.actor_critic_off import ActorCriticOff
from ding_lite.rl_utils.ac_losses import ddpg_actor_loss, smoothed_target_action, twin_q_target


def _noise_range(cfg: dict) -> tuple[str, str] | None:
    bounds = cfg["policy"]["learn"]["noise_range"]
    return None if bounds["min"] <= 0 <= bounds["max"] else ("policy.learn.noise_range", "have min <= 0 <= max")


class DDPGPolicy(ActorCriticOff):
    name = "ddpg"
    config: ClassVar[dict] = dict(
        type="ddpg",
        action_space=Key("continuous", "'hybrid' is not in ding_lite", one_of("continuous"), resume=SHAPES),
        reward_batch_norm=Key(False, "per-batch reward normalisation is not in ding_lite (must be False)",
                              one_of(False)),
        model=dict(action_space=Key("regression", "the deterministic tanh actor", one_of("regression"),
                                    resume=SHAPES), twin_critic=False),
        learn=dict(
            learning_rate_actor=Key(1e-3, "Adam step size of the actor", positive),
            learning_rate_critic=Key(1e-3, "Adam step size of the critic(s)", positive),
            noise=Key(False, "target policy smoothing: noise on the target action (TD3)"),
            noise_sigma=Key(0.2, "its standard deviation (in the [-1, 1] action units)", non_negative),
            noise_range=dict(min=Key(-0.5, "its clip range's low end"), max=Key(0.5, "its clip range's high end")),
        ),
        collect=dict(noise_sigma=Key(0.1, "std of the Gaussian exploration noise added to the actor's action",
                                     non_negative)),
    )
    checks = (_noise_range,)

    def __init__(self, cfg: dict, seed: int, action_space=None) -> None:
        super().__init__(cfg, seed, action_space)
        self.actor_optimizer = self.make_optimizer("actor_optimizer", self.model.actor_parameters(),
                                                   "learning_rate_actor")
        self.critic_optimizer = self.make_optimizer("critic_optimizer", self.model.critic_parameters(),
                                                    "learning_rate_critic")

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        action = self.model.actor(obs)
        noise = torch.randn(action.shape, generator=self.collect_generator).to(self.device)
        return (action + noise * self.cfg["collect"]["noise_sigma"]).clamp_(-1.0, 1.0)

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        return self.model.actor(obs)

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        obs, boot = batch["obs"], batch["bootstrap_obs"]
        with torch.no_grad():
            next_action = self.target_model.actor(boot)
            if learn["noise"]:
                clip = (learn["noise_range"]["min"], learn["noise_range"]["max"])
                next_action = smoothed_target_action(next_action, learn["noise_sigma"], clip, -1.0, 1.0,
                                                     self.learn_generator)
            target = twin_q_target(*self.target_model.critic(boot, next_action), batch["returns"], batch["discount"])
        q1, q2 = self.model.critic(obs, batch["action"])
        out = self.critic_step(q1, q2, target, batch)
        if self.actor_due():
            with self.critic_frozen():
                q_policy, _ = self.model.critic(obs, self.model.actor(obs), twin=False)
                actor_loss, actor_info = ddpg_actor_loss(q_policy)
                self.optimize(actor_loss, self.actor_optimizer, None)
            out.update(actor_loss=actor_loss.item(), **{k: v.item() for k, v in actor_info.items()})
        self.after_update()
        return {**out, "cur_lr_actor": self.actor_optimizer.lr, "cur_lr_critic": self.critic_optimizer.lr}
