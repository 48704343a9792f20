"""C51 (Bellemare et al., 2017): a categorical return distribution per action, projected TD targets."""
from __future__ import annotations

from typing import Any, ClassVar

import torch

from ding_lite.config import ConfigError
from ding_lite.config.keys import Key
from ding_lite.config.rules import of_type
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.dist_td import c51_loss, c51_projection


def check_support(model: dict) -> None:
    if model["v_min"] >= model["v_max"]:
        raise ConfigError(f"config key 'policy.model.v_min' is {model['v_min']}, but it must be below "
                          f"policy.model.v_max ({model['v_max']}).")


class C51Policy(QLearning):
    name = "c51"
    head = "distribution"
    config: ClassVar[dict] = dict(
        type="c51",
        model=dict(
            v_min=Key(-10, "lowest return the support represents", of_type(int, float)),
            v_max=Key(10, "highest return the support represents"),
            n_atom=Key(51, "support points of each action's return distribution",
                       lambda v: None if isinstance(v, int) and v >= 2 else "be an int >= 2"),
            dueling=Key(False, "DI-engine's C51 head has a single stream (Rainbow's is dueling)"),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        check_support(cfg["model"])
        super().__init__(cfg, seed, action_space)

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        model = self.cfg["model"]
        logits, next_logits = self.online_and_bootstrap(batch, self.model.dist_logits)
        with torch.no_grad():
            support = self.model.head.support
            target_probs = torch.softmax(self.target_model.dist_logits(batch["bootstrap_obs"]), -1)
            next_online_q = None if next_logits is None else (torch.softmax(next_logits, -1) * support).sum(-1)
            action = self.bootstrap_action(next_online_q, (target_probs * support).sum(-1))
            next_dist = target_probs[torch.arange(len(action), device=action.device), action]
            target = c51_projection(next_dist, batch["returns"], batch["discount"], model["v_min"], model["v_max"],
                                    model["n_atom"])
        loss, per_sample, info = c51_loss(logits, batch["action"], target, self.loss_weight(batch))
        info = {"cross_entropy": info["cross_entropy"].item()}
        grad = self.finish_update(loss, batch, per_sample)
        q_taken = (torch.softmax(logits.detach(), -1) * support).sum(-1).gather(
            1, batch["action"].long().unsqueeze(1)).mean()
        return {"total_loss": loss.item(), "q_value": q_taken.item(), "epsilon": self.epsilon(),
                "cur_lr": self.optimizer.lr, **info, **grad}
