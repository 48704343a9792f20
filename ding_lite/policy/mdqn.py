"""Munchausen DQN (Vieillard et al., 2020) on the Q-learning family, as DI-engine 0.5.3's ``mdqn`` policy.

The target adds the scaled log-policy of the taken action, ``m_alpha * clip(entropy_tau * log pi(a|s), -1, 1)``
with ``pi = softmax(Q_target / entropy_tau)``, to a soft bootstrap (``rl_utils.soft_q.munchausen_loss``).
Acting is DQN's epsilon-greedy. DI-engine computes this target for one step only, so ``nstep`` must be 1.
"""
from __future__ import annotations

from typing import ClassVar

import torch

from ding_lite.config.keys import Key
from ding_lite.config.rules import in_unit_interval, one_of, positive
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.soft_q import munchausen_loss


class MDQNPolicy(QLearning):
    name = "mdqn"
    config: ClassVar[dict] = dict(
        type="mdqn",
        entropy_tau=Key(0.03, "temperature of the implicit policy softmax(Q_target / entropy_tau)", positive),
        m_alpha=Key(0.9, "weight of the Munchausen bonus", in_unit_interval),
        nstep=Key(1, "M-DQN's target is one-step here, as DI-engine's", one_of(1)),
        collect=dict(n_sample=4),  # DI-engine's M-DQN default
    )

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        size = batch["obs"].shape[0]
        q = self.model.q_values(batch["obs"])
        with torch.no_grad():
            both = self.target_model.q_values(torch.cat([batch["obs"], batch["bootstrap_obs"]]))
        q_taken = q.gather(1, batch["action"].long().unsqueeze(1)).squeeze(1)
        loss, per_sample, info = munchausen_loss(q_taken, both[:size], both[size:], batch["action"], batch["returns"],
                                                 batch["discount"], self.cfg["entropy_tau"], self.cfg["m_alpha"],
                                                 self.loss_weight(batch))
        grad = self.finish_update(loss, batch, per_sample)
        return {"total_loss": loss.item(), **{k: v.item() for k, v in info.items()},
                "epsilon": self.epsilon(), "cur_lr": self.optimizer.lr, **grad}
