"""PPO-PG (DI-engine 0.5.3's ``ppo_pg``): PPO's clipped policy loss on REINFORCE's whole-episode returns.

Episodes as PG collects them (``collector.type='episode'``), each step's discounted return as its advantage (or
what ``learn.baseline`` leaves, PG's key), and ``epoch_per_collect`` passes of ``batch_size`` minibatches of the
clipped surrogate ``min(r A, clip(r, 1 +- clip_ratio) A)`` minus the entropy bonus, with the log-probabilities
the collect acted with as the old policy. No critic is trained (DI-engine's model has none).
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import torch

from ding_lite.config.compile import non_negative, one_of, positive
from ding_lite.policy.pg import PGPolicy
from ding_lite.rl_utils.ppo_loss import ppo_policy_loss


class PPOPGPolicy(PGPolicy):
    name = "ppo_pg"
    config: ClassVar[dict] = dict(
        type="ppo_pg",
        learn=dict(
            epoch_per_collect=10,  # passes over each collect's episodes
            batch_size=64,  # steps per minibatch (one train_iter)
            learning_rate=3e-4,
            entropy_weight=0.0,
            clip_ratio=0.2,  # PPO's probability-ratio clip range
            ppo_param_init=True,  # DI-engine key: orthogonal init (ding_lite's VAC always initialises so)
            grad_clip_type="clip_norm",  # DI-engine key: clip the global 2-norm (the one kind here)
            grad_clip_value=0.5,  # max global gradient norm (0 disables clipping)
        ),
    )
    rules: ClassVar[dict] = {
        "learn.clip_ratio": positive,
        "learn.batch_size": positive,
        "learn.ppo_param_init": one_of(True),
        "learn.grad_clip_type": one_of("clip_norm"),
        "learn.grad_clip_value": non_negative,
        "learn.grad_norm": lambda v: None if v == 5.0 else
        "be left out: ppo_pg clips gradients at learn.grad_clip_value (DI-engine's key)",
    }
    collects_value = True  # keeps the log-probabilities the collect acted with (the value is computed, unused)

    @torch.no_grad()
    def process_rollout(self, episodes: list[dict[str, np.ndarray]], last_obs: None = None) -> dict[str, torch.Tensor]:
        data = super().process_rollout(episodes, last_obs)
        data["logp"] = torch.cat([self.to_tensor(ep["logp"]) for ep in episodes])
        return data

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        logp, entropy = self.log_prob_entropy(self.model.actor(batch["obs"]), batch["action"])
        policy_loss, info = ppo_policy_loss(logp, batch["logp"], batch["adv"], learn["clip_ratio"])
        entropy = entropy.mean()
        total = policy_loss - learn["entropy_weight"] * entropy
        grad_norm = self.optimize(total, self.optimizer, learn["grad_clip_value"] or math.inf)
        return {"total_loss": total.item(), "policy_loss": policy_loss.item(), "entropy": entropy.item(),
                "approx_kl": info["approx_kl"].item(), "clipfrac": info["clipfrac"].item(),
                "return_mean": batch["ret"].mean().item(), "grad_norm": grad_norm.item(), "cur_lr": self.optimizer.lr}
