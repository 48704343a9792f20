"""FQF (Yang et al., 2019) on the Q-learning family, as DI-engine 0.5.3's ``fqf`` policy.

Two optimizers, as DI-engine: RMSprop (alpha 0.95, eps 1e-5) at ``learn.learning_rate_fraction`` moves only the
fraction proposal by the fraction loss (minus ``ent_coef`` times its entropy); Adam (eps ``1e-2 / batch_size``) at
``learn.learning_rate_quantile`` moves the encoder, the cosine embedding and the Q layers by the quantile Huber
loss at the proposed midpoints. The bootstrap action is the online net's greedy one (double-Q), its quantiles
the target net's at the target net's own fractions.
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch

from ding_lite.config.keys import IGNORED, Key
from ding_lite.config.rules import non_negative, positive
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.dist_td import fqf_fraction_loss, iqn_loss
from ding_lite.torch_utils.optim import RMSprop


class FQFPolicy(QLearning):
    name = "fqf"
    head = "fqf"
    config: ClassVar[dict] = dict(
        type="fqf",
        model=dict(
            num_quantiles=Key(32, "fractions proposed per state", lambda v: None if v >= 2 else "be at least 2"),
            quantile_embedding_size=Key(128, "cosine features of each fraction", positive),
            dueling=Key(False, "DI-engine's FQF head has a single stream"),
        ),
        learn=dict(
            learning_rate_fraction=Key(2.5e-9, "RMSprop step size of the fraction proposal", positive),
            learning_rate_quantile=Key(0.00005, "Adam step size of everything else", positive),
            kappa=Key(1.0, "Huber threshold of the quantile loss", positive),
            ent_coef=Key(0.0, "weight of the fraction proposal's entropy bonus", non_negative),
        ),
        kappa=Key(None, "a stale policy-level copy in DI-engine's Atari files: its FQF reads learn.kappa only",
                  di=IGNORED),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        head = self.model.head
        proposal = list(head.proposal.parameters())
        rest = [p for p in self.model.parameters() if all(p is not q for q in proposal)]
        self.optimizer = self.make_optimizer("optimizer", rest, lr_key="learning_rate_quantile")
        self.optimizer.eps = 1e-2 / cfg["learn"]["batch_size"]
        self._lr_keys["fraction_optimizer"] = "learning_rate_fraction"  # an edited rate wins on resume, as for Adam
        self.fraction_optimizer = self.register(
            "fraction_optimizer", RMSprop(proposal, lr=cfg["learn"]["learning_rate_fraction"], alpha=0.95, eps=1e-5))

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        quantiles, taus, hats, inner, entropy = self.model.fraction_quantiles(batch["obs"])
        rows, action = torch.arange(len(quantiles), device=quantiles.device), batch["action"].long()
        with torch.no_grad():
            target_quantiles = self.target_model.fraction_quantiles(batch["bootstrap_obs"])[0]
            next_action = self.model.q_values(batch["bootstrap_obs"]).argmax(-1)
            target = batch["returns"].unsqueeze(1) + batch["discount"].unsqueeze(1) * target_quantiles[rows, :, next_action]
        taken = quantiles[rows, :, action]
        fraction_loss = fqf_fraction_loss(inner[rows, :, action], taken, taus) - learn["ent_coef"] * entropy.mean()
        loss, per_sample, info = iqn_loss(taken, hats, target, learn["kappa"], self.loss_weight(batch))
        self.fraction_optimizer.zero_grad()
        fraction_loss.backward(retain_graph=True)
        self.fraction_optimizer.step()
        grad = self.finish_update(loss, batch, per_sample)
        return {"total_loss": loss.item(), "quantile_loss": loss.item(), "fraction_loss": fraction_loss.item(),
                "q_value": info["q_value"].item(), "target_q_value": info["target_q_value"].item(),
                "epsilon": self.epsilon(), "cur_lr_quantile_loss": self.optimizer.lr,
                "cur_lr_fraction_loss": self.fraction_optimizer.lr, **grad}
