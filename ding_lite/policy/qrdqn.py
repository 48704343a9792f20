"""QR-DQN (Dabney et al., 2018a): ``num_quantiles`` quantiles of each action's return, quantile Huber loss."""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.config.keys import Key
from ding_lite.config.rules import positive
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.dist_td import qrdqn_loss


def taken(values: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
    """``[B, A, N]`` -> the ``[B, N]`` row of each sample's action."""
    return values[torch.arange(len(action), device=values.device), action.long()]


class QRDQNPolicy(QLearning):
    name = "qrdqn"
    head = "qrdqn"
    config: ClassVar[dict] = dict(
        type="qrdqn",
        model=dict(
            num_quantiles=Key(32, "quantiles of each action's return distribution", positive),
            dueling=Key(False, "DI-engine's QR-DQN head has a single stream"),
        ),
        learn=dict(kappa=Key(1.0, "Huber threshold of the quantile loss", positive)),
    )

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        quantiles, next_quantiles = self.online_and_bootstrap(batch, self.model.quantiles)
        with torch.no_grad():
            target_quantiles = self.target_model.quantiles(batch["bootstrap_obs"])
            next_online_q = None if next_quantiles is None else next_quantiles.mean(-1)
            action = self.bootstrap_action(next_online_q, target_quantiles.mean(-1))
            target = batch["returns"].unsqueeze(1) + batch["discount"].unsqueeze(1) * taken(target_quantiles, action)
        loss, per_sample, info = qrdqn_loss(taken(quantiles, batch["action"]), target, self.cfg["learn"]["kappa"],
                                            self.loss_weight(batch))
        grad = self.finish_update(loss, batch, per_sample)
        return {"total_loss": loss.item(), "q_value": info["q_value"].item(),
                "target_q_value": info["target_q_value"].item(), "epsilon": self.epsilon(),
                "cur_lr": self.optimizer.lr, **grad}
