"""D4PG (Barth-Maron et al., 2018) as DI-engine 0.5.3's ``d4pg`` policy: DDPG with a categorical critic.

The critic predicts ``n_atom`` probabilities on ``linspace(v_min, v_max, n_atom)`` and learns by the projected
cross-entropy (``rl_utils.dist_td.d4pg_critic_loss``) with n-step returns and prioritized replay (DI-engine's
defaults: ``nstep=3``, ``priority`` and ``priority_IS_weight`` on); the actor maximises the distribution's mean.
DI-engine's D4PG reads gamma from ``learn.discount_factor`` only: ``policy.discount_factor``, which some of its
files set, is accepted and ignored there too (said once).
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch

from ding_lite.config.keys import IGNORED, Key
from ding_lite.config.rules import of_type, one_of
from ding_lite.model.qac import DistributionalQAC
from ding_lite.policy.ddpg import DDPGPolicy
from ding_lite.rl_utils.ac_losses import ddpg_actor_loss
from ding_lite.rl_utils.dist_td import d4pg_critic_loss


class D4PGPolicy(DDPGPolicy):
    name = "d4pg"
    config: ClassVar[dict] = dict(
        type="d4pg",
        discount_factor=Key(None, "D4PG reads gamma from learn.discount_factor only (as DI-engine's); this copy is read "
                            "by neither",
                            of_type(int, float), di=IGNORED),
        priority=True,
        priority_IS_weight=True,
        nstep=3,
        other=dict(replay_buffer=dict(replay_buffer_size=1000000)),
        model=dict(
            v_min=Key(-10.0, "smallest return of the critic's support", of_type(int, float)),
            v_max=Key(10.0, "largest return of the critic's support", of_type(int, float)),
            n_atom=Key(51, "support points of the critic's distribution", lambda v: None if v >= 2 else
                       "be at least 2"),
            critic_head_type=Key("categorical", "DI-engine's QACDIST key; 'categorical' is its only kind",
                                 one_of("categorical")),
            twin_critic=Key(False, "D4PG has one distributional critic",
                            lambda v: None if not v else "be False: D4PG has one distributional critic"),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        if cfg["model"]["v_min"] >= cfg["model"]["v_max"]:
            from ding_lite.config import ConfigError

            raise ConfigError(f"config key 'policy.model.v_min' is {cfg['model']['v_min']}, which must be below "
                              f"policy.model.v_max ({cfg['model']['v_max']}).")

    def build_model(self) -> torch.nn.Module:
        return DistributionalQAC(**{k: v for k, v in self.cfg["model"].items() if k != "critic_head_type"})

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        model_cfg = self.cfg["model"]
        obs, boot = batch["obs"], batch["bootstrap_obs"]
        with torch.no_grad():
            next_dist = torch.softmax(self.target_model.critic_logits(boot, self.target_model.actor(boot)), -1)
        logits = self.model.critic_logits(obs, batch["action"])
        loss, per_sample, info = d4pg_critic_loss(logits, next_dist, batch["returns"], batch["discount"],
                                                  model_cfg["v_min"], model_cfg["v_max"], self.loss_weight(batch))
        self.optimize(loss, self.critic_optimizer, None)
        self.update_priorities(batch, per_sample)
        q = (torch.softmax(logits.detach(), -1) * self.model.support).sum(-1)
        out = {"critic_loss": loss.item(), "q_value": q.mean().item(), "cross_entropy": info["cross_entropy"].item()}
        if self.actor_due():
            with self.critic_frozen():
                q_policy, _ = self.model.critic(obs, self.model.actor(obs))
                actor_loss, actor_info = ddpg_actor_loss(q_policy)
                self.optimize(actor_loss, self.actor_optimizer, None)
            out.update(actor_loss=actor_loss.item(), **{k: v.item() for k, v in actor_info.items()})
        self.after_update()
        return {**out, "cur_lr_actor": self.actor_optimizer.lr, "cur_lr_critic": self.critic_optimizer.lr}
