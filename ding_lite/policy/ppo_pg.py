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

from ding_lite.config.keys import Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.policy.pg import PGPolicy
from ding_lite.rl_utils.ppo_loss import ppo_policy_loss


class PPOPGPolicy(PGPolicy):
    name = "ppo_pg"
    config: ClassVar[dict] = dict(
        type="ppo_pg",
        learn=dict(
            epoch_per_collect=10,
            batch_size=Key(64, "steps per minibatch (one train_iter)", positive),
            learning_rate=3e-4,
            entropy_weight=0.0,
            clip_ratio=Key(0.2, "PPO's probability-ratio clip range", positive),
            ppo_param_init=Key(True, "orthogonal init (ding_lite's VAC always initialises so)", one_of(True)),
            grad_clip_type=Key("clip_norm", "clip the global 2-norm (the one kind here)", one_of("clip_norm")),
            grad_clip_value=Key(0.5, "max global gradient norm (0 disables clipping)", non_negative),
            grad_norm=Key(5.0, "PG's key: ppo_pg clips at learn.grad_clip_value instead",
                          lambda v: None if v == 5.0 else
                          "be left out: ppo_pg clips gradients at learn.grad_clip_value (DI-engine's key)"),
        ),
    )

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
