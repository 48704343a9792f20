"""DQN: target network (hard or soft), double-Q, n-step returns, epsilon-greedy, uniform or prioritized replay."""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.td import greedy_target_value, td_target


class DQNPolicy(QLearning):
    name = "dqn"
    config: ClassVar[dict] = dict(type="dqn")  # policy name in the registry; the rest is the Q-learning family's

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        loss, per_sample, info = self.td_loss(batch)
        return {"total_loss": loss.item(), **info, **self.finish_update(loss, batch, per_sample)}

    def td_loss(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
        """DQN's (IS-weighted) squared TD error, the per-sample error (the priority) and what to log."""
        q, next_online = self.online_and_bootstrap(batch, self.model.q_values)
        with torch.no_grad():
            next_value = greedy_target_value(self.target_model.q_values(batch["bootstrap_obs"]), next_online)
            target = td_target(batch["returns"], batch["discount"], next_value)
        q_taken = q.gather(1, batch["action"].long().unsqueeze(1)).squeeze(1)
        per_sample = (q_taken - target).pow(2)
        weight = self.loss_weight(batch)
        loss = per_sample.mean() if weight is None else (per_sample * weight).mean()
        return loss, per_sample.detach(), {
            "q_value": q_taken.detach().mean().item(),
            "target_q_value": target.mean().item(),
            "epsilon": self.epsilon(),
            "cur_lr": self.optimizer.lr,
        }
