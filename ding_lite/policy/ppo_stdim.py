"""PPO with ST-DIM's auxiliary contrastive loss (DI-engine 0.5.3's ``ppo_stdim``).

As ``dqn_stdim``: each minibatch first trains the auxiliary model on the shared encoder's detached features of the
observations and of their successors, then adds ``aux_loss_weight`` times that loss, through the encoder, to
PPO's loss. A successor is the next row of the collect, the episode's final observation where it ended, and the
observation after the collect for the last row. DI-engine evaluates the second term on the whole collect at every
minibatch; here it is the minibatch's (the same expectation, a fraction of the cost).
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import Key, differs
from ding_lite.config.rules import one_of
from ding_lite.policy.dqn_stdim import AUX_KEYS, build_aux
from ding_lite.policy.ppo import PPOPolicy


class PPOSTDIMPolicy(PPOPolicy):
    name = "ppo_stdim"
    config: ClassVar[dict] = dict(
        type="ppo_stdim",
        **AUX_KEYS,
        model=dict(share_encoder=Key(True, "the auxiliary loss trains the shared encoder", one_of(True))),
        recompute_adv=Key(False, "ppo_stdim keeps each collect's advantages",
                          lambda v: None if not v else "be False: ppo_stdim keeps each collect's advantages",
                          di=differs(True, "ding_lite's ppo_stdim does not recompute advantages per epoch")),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        features = cfg["model"]["encoder_hidden_size_list"][-1]
        self.aux_model = self.register("aux_model", build_aux(features, cfg).to(self.device))
        self.aux_optimizer = self.make_optimizer("aux_optimizer", self.aux_model.parameters())

    @torch.no_grad()
    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, torch.Tensor]:
        data = super().process_rollout(rollout, last_obs)
        successor = np.concatenate([rollout["obs"][1:], last_obs[None]])
        ended = rollout["terminated"] | rollout["truncated"]
        successor[ended] = rollout["final_obs"][ended]
        data["next_obs"] = self.obs(successor.reshape(-1, *successor.shape[2:]))
        return data

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        obs, successor = batch["obs"], batch["next_obs"]
        with torch.no_grad():
            x, y = self.model.features(obs), self.model.features(successor)
        aux_learn = self.aux_model.loss(x, y)
        self.optimize(aux_learn, self.aux_optimizer, None)
        total, info = self.ppo_loss(batch)
        aux_eval = self.aux_model.loss(self.model.features(obs), self.model.features(successor))
        total = total + self.cfg["aux_loss_weight"] * aux_eval  # only the main optimizer steps on it (DI-engine)
        grad_norm = self.optimize(total, self.optimizer, self.cfg["learn"]["grad_clip_value"] or float("inf"))
        return {"total_loss": total.item(), **info, "aux_loss_learn": aux_learn.item(),
                "aux_loss_eval": aux_eval.item() * self.cfg["aux_loss_weight"], "grad_norm": grad_norm.item(),
                "cur_lr": self.optimizer.lr}
