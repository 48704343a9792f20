"""PPO (clipped surrogate, GAE, value loss, entropy bonus) for discrete and continuous actions."""
from __future__ import annotations

import math
from typing import ClassVar

import torch

from ding_lite.config.compile import in_unit_interval, non_negative, one_of, positive
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils import normalize_advantages, ppo_policy_loss, ppo_value_loss


class PPOPolicy(OnPolicy):
    name = "ppo"
    config: ClassVar[dict] = dict(
        type="ppo",  # policy name in the registry
        # normalise observations with running mean/std (kept in the checkpoint); the statistics are
        # updated once per collect, after it, so a collect and its training use the same ones
        obs_norm=False,
        obs_norm_clip=10.0,  # normalised observations are clipped to +-this
        learn=dict(
            value_weight=0.5,  # weight of the value loss in the total loss
            entropy_weight=0.0,  # weight of the entropy bonus
            clip_ratio=0.2,  # PPO's probability-ratio clip range
            value_clip=False,  # clip the value update to clip_ratio around the collected value
            adv_norm=True,  # normalise advantages per minibatch
            grad_clip_value=0.5,  # max global gradient norm (0 disables clipping)
            action_bound="clip",  # continuous only: 'clip' actions to the env bounds when stepping
        ),
        collect=dict(
            n_sample=256,  # transitions per collect, over all collector envs (rounded up to a multiple)
            gae_lambda=0.95,  # GAE's lambda
        ),
    )
    rules: ClassVar[dict] = {
        "obs_norm_clip": positive,
        "learn.value_weight": non_negative,
        "learn.entropy_weight": non_negative,
        "learn.clip_ratio": positive,
        "learn.grad_clip_value": non_negative,
        "learn.action_bound": one_of("clip"),
        "collect.n_sample": positive,
        "collect.gae_lambda": in_unit_interval,
    }

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        out, value = self.model(batch["obs"])
        logp, entropy = self.log_prob_entropy(out, batch["action"])
        adv = normalize_advantages(batch["adv"]) if learn["adv_norm"] and len(batch["adv"]) > 1 else batch["adv"]
        policy_loss, info = ppo_policy_loss(logp, batch["logp"], adv, learn["clip_ratio"])
        value_clip = learn["clip_ratio"] if learn["value_clip"] else None
        value_loss = ppo_value_loss(value, batch["value"], batch["ret"], value_clip)
        entropy_mean = entropy.mean()
        total = policy_loss + learn["value_weight"] * value_loss
        if learn["entropy_weight"]:  # with weight 0 the entropy is only logged: keep it out of backward (~9%)
            total = total - learn["entropy_weight"] * entropy_mean
        grad_norm = self.optimize(total, self.optimizer, learn["grad_clip_value"] or math.inf)
        return {
            "total_loss": total.item(),
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy_mean.item(),
            "approx_kl": info["approx_kl"].item(),
            "clipfrac": info["clipfrac"].item(),
            "grad_norm": grad_norm.item(),
            "cur_lr": self.optimizer.lr,
        }
