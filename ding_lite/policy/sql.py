"""Soft Q-learning (SQL; Haarnoja et al., 2017) on the Q-learning family, as DI-engine 0.5.3's ``sql`` policy.

The target is the target network's soft value ``alpha * logsumexp(Q / alpha)`` (``rl_utils.soft_q.sql_loss``);
collecting samples ``softmax(Q / alpha)`` where DQN would act greedily (epsilon still mixes in uniform actions);
evaluation is greedy. DI-engine's demonstration variant (SQIL) is not part of this policy: its files (``policy.type``
'sql' with the expert's ``collect.model_path``) train plain SQL here, said once on the console.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import Key
from ding_lite.config.rules import positive
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.soft_q import sql_loss


class SQLPolicy(QLearning):
    name = "sql"
    config: ClassVar[dict] = dict(
        type="sql",
        collect=dict(model_path=Key(None, "the expert of DI-engine's SQIL entry: accepted here (said once on the "
                                    "console), the run trains plain soft Q-learning as DI-engine's serial_pipeline")),
        learn=dict(
            alpha=Key(0.1, "entropy temperature: soft value alpha*logsumexp(Q/alpha), collect samples softmax(Q/alpha)",
                      positive),
            double_q=Key(False, "DI-engine's SQL bootstraps from the target net's soft value only",
                         lambda v: None if not v else
                         "be False: the soft value averages over actions, no online net picks one"),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        if cfg["collect"]["model_path"] is not None:
            self.console_notes.append(
                f"policy.collect.model_path '{cfg['collect']['model_path']}' names the expert of DI-engine's SQIL, "
                "whose demonstrations ding_lite does not add: this run trains plain soft Q-learning, as DI-engine's "
                "serial_pipeline does with this file (its serial_pipeline_sqil adds them).")

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """Epsilon mixes uniform actions with samples of ``softmax(Q / alpha)``; the draws never depend on eps."""
        n = obs.shape[0]
        eps = self.epsilon()
        u = self.rand((n,), self.collect_generator)
        random_action = self.randint(self.action_shape, (n,), self.collect_generator)
        if eps >= 1.0:
            action = random_action
        else:
            logits = self.model.q_values(self.obs(obs)) / self.cfg["learn"]["alpha"]
            sampled = torch.multinomial(torch.softmax(logits, -1).cpu() + 1e-8, 1, generator=self.collect_generator)
            action = torch.where(u < eps, random_action, sampled.squeeze(1).to(self.device))
        self.collect_envstep += n
        action_np = self.numpy(action)
        return {"action": action_np, "env_action": action_np}

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        q = self.model.q_values(batch["obs"])
        q_taken = q.gather(1, batch["action"].long().unsqueeze(1)).squeeze(1)
        with torch.no_grad():
            next_target_q = self.target_model.q_values(batch["bootstrap_obs"])
        loss, per_sample, info = sql_loss(q_taken, next_target_q, batch["returns"], batch["discount"],
                                          self.cfg["learn"]["alpha"], self.loss_weight(batch))
        grad = self.finish_update(loss, batch, per_sample)
        return {"total_loss": loss.item(), "q_value": info["q_value"].item(),
                "target_q_value": info["target_q_value"].item(), "record_value_function": info["target_value"].item(),
                "epsilon": self.epsilon(), "cur_lr": self.optimizer.lr, **grad}
