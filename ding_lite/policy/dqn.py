"""DQN: target network (hard or soft), double-Q, n-step returns, epsilon-greedy, uniform replay."""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.td import greedy_target_value, td_target


class DQNPolicy(QLearning):
    name = "dqn"
    config: ClassVar[dict] = dict(type="dqn")  # policy name in the registry; everything else is the Q-learning family's

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        size = batch["obs"].shape[0]
        if learn["double_q"]:
            q_all = self.model.q_values(torch.cat([batch["obs"], batch["bootstrap_obs"]]))
            q, next_online = q_all[:size], q_all[size:].detach()
        else:
            q, next_online = self.model.q_values(batch["obs"]), None
        with torch.no_grad():
            next_value = greedy_target_value(self.target_model.q_values(batch["bootstrap_obs"]), next_online)
            target = td_target(batch["returns"], batch["discount"], next_value)
        q_taken = q.gather(1, batch["action"].long().unsqueeze(1)).squeeze(1)
        loss = (q_taken - target).pow(2).mean()
        grad_norm = self.optimize(loss, self.optimizer, learn["grad_clip_value"] or None)
        self.after_update()
        info = {} if grad_norm is None else {"grad_norm": grad_norm.item()}
        return {
            "total_loss": loss.item(),
            "q_value": q_taken.detach().mean().item(),
            "target_q_value": target.mean().item(),
            "epsilon": self.epsilon(),
            "cur_lr": self.optimizer.lr,
            **info,
        }
