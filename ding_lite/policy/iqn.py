"""IQN (Dabney et al., 2018b): quantiles at sampled fractions through a cosine embedding.

Fractions for the loss are drawn from the learn generator (``num_quantiles`` for the online net and an
independent ``num_quantiles`` for the target); acting uses evenly spaced midpoints, so it is deterministic.
"""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.config.keys import IGNORED, Key
from ding_lite.config.rules import positive
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.dist_td import iqn_loss


class IQNPolicy(QLearning):
    name = "iqn"
    head = "quantile"
    config: ClassVar[dict] = dict(
        type="iqn",
        model=dict(
            num_quantiles=Key(32, "fractions sampled per sample and update", positive),
            quantile_embedding_size=Key(128, "cosine features of each fraction", positive),
            dueling=Key(False, "DI-engine's IQN head has a single stream"),
        ),
        learn=dict(kappa=Key(1.0, "Huber threshold of the quantile loss", positive)),
        kappa=Key(None, "a stale policy-level copy in DI-engine's Atari files: its IQN reads learn.kappa only",
                  di=IGNORED),
    )

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        size, n = batch["obs"].shape[0], self.cfg["model"]["num_quantiles"]
        taus = self.rand((size, n), self.learn_generator)
        target_taus = self.rand((size, n), self.learn_generator)
        quantiles, next_quantiles = self.online_and_bootstrap(batch, self.model.quantiles, taus)  # [B, N, A]
        rows = torch.arange(size, device=quantiles.device)
        with torch.no_grad():
            target_quantiles = self.target_model.quantiles(batch["bootstrap_obs"], target_taus)
            next_online_q = None if next_quantiles is None else next_quantiles.mean(1)
            action = self.bootstrap_action(next_online_q, target_quantiles.mean(1))
            target = batch["returns"].unsqueeze(1) + batch["discount"].unsqueeze(1) * target_quantiles[rows, :, action]
        taken = quantiles[rows, :, batch["action"].long()]
        loss, per_sample, info = iqn_loss(taken, taus, target, self.cfg["learn"]["kappa"], self.loss_weight(batch))
        grad = self.finish_update(loss, batch, per_sample)
        return {"total_loss": loss.item(), "q_value": info["q_value"].item(),
                "target_q_value": info["target_q_value"].item(), "epsilon": self.epsilon(),
                "cur_lr": self.optimizer.lr, **grad}
