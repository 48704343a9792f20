"""DQN with ST-DIM's auxiliary contrastive loss (DI-engine 0.5.3's ``dqn_stdim``).

Each update first trains the auxiliary model alone on the encoder's (detached) features of the observations and of
their successors (InfoNCE, ``rl_utils.contrastive``; Adam at ``learn.learning_rate``), then adds
``aux_loss_weight`` times the same loss, now through the encoder, to DQN's TD loss: the encoder learns features
that predict what comes next. The successor is the replay window's bootstrap observation (the next one at nstep 1).
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch

from ding_lite.config.keys import SHAPES, Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.model.common.contrastive import ContrastiveHeads
from ding_lite.policy.dqn import DQNPolicy

AUX_KEYS = dict(
    aux_loss_weight=Key(0.001, "weight of the contrastive loss added to the main loss", non_negative),
    aux_model=dict(
        encode_shape=Key(64, "width of each head's encoding", positive, resume=SHAPES),
        heads=Key([1, 1], "heads of the observation's and of the successor's encoder",
                  lambda v: None if len(v) == 2 and all(isinstance(h, int) and h > 0 for h in v) else
                  "be two positive ints", resume=SHAPES),
        loss_type=Key("infonce", "the only kind DI-engine has", lambda v: one_of("infonce")(str(v).lower())),
        temperature=Key(1.0, "multiplies the scores before the softmax (as DI-engine)", positive),
    ),
)
"""ST-DIM's keys, shared by dqn_stdim and ppo_stdim."""


def build_aux(model_features: int, cfg: dict) -> ContrastiveHeads:
    aux = cfg["aux_model"]
    return ContrastiveHeads(model_features, aux["encode_shape"], aux["heads"], aux["temperature"])


class DQNSTDIMPolicy(DQNPolicy):
    name = "dqn_stdim"
    config: ClassVar[dict] = dict(type="dqn_stdim", **AUX_KEYS)

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        features = cfg["model"]["encoder_hidden_size_list"][-1]
        self.aux_model = self.register("aux_model", build_aux(features, cfg).to(self.device))
        self.aux_optimizer = self.make_optimizer("aux_optimizer", self.aux_model.parameters())

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        obs, successor = batch["obs"], batch["bootstrap_obs"]
        with torch.no_grad():
            x, y = self.model.features(obs), self.model.features(successor)
        aux_learn = self.aux_model.loss(x, y)
        self.optimize(aux_learn, self.aux_optimizer, None)
        bellman, per_sample, info = self.td_loss(batch)
        aux_eval = self.aux_model.loss(self.model.features(obs), self.model.features(successor))
        loss = bellman + self.cfg["aux_loss_weight"] * aux_eval  # only the main optimizer steps on it (DI-engine)
        return {"total_loss": loss.item(), "bellman_loss": bellman.item(), "aux_loss_learn": aux_learn.item(),
                "aux_loss_eval": aux_eval.item() * self.cfg["aux_loss_weight"], **info,
                **self.finish_update(loss, batch, per_sample)}
