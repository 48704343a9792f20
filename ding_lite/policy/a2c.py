"""A2C (advantage actor-critic) with DI-engine's keys, for discrete and continuous actions.

One pass of shuffled ``batch_size`` minibatches over each collect (DI-engine's A2C makes exactly
one; ``learn.epoch_per_collect`` is honoured here, default 1), GAE advantages, the return target
``value + advantage`` and DI-engine's loss weighting (``rl_utils.a2c_loss``).
"""
from __future__ import annotations

from typing import Any, ClassVar

import torch

from ding_lite.config.keys import IGNORED, LITE, SHAPES, Key
from ding_lite.config.rules import in_unit_interval, non_negative, one_of, positive
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils.a2c import a2c_loss
from ding_lite.torch_utils.optim import RMSprop


def _betas_are_adams(cfg: dict) -> tuple[str, str] | None:
    learn = cfg["policy"]["learn"]
    if learn["optimizer"] == "rmsprop" and tuple(learn["betas"]) != (0.9, 0.999):
        return "policy.learn.betas", "be left out with learn.optimizer 'rmsprop': they are Adam's moment rates"
    return None


class A2CPolicy(OnPolicy):
    name = "a2c"
    checks = (_betas_are_adams,)
    config: ClassVar[dict] = dict(
        type="a2c",
        learn=dict(
            epoch_per_collect=Key(1, "passes over each collect (DI-engine's A2C: always one, whatever is set)",
                                  positive),
            batch_size=64,
            learning_rate=0.001,
            betas=Key((0.9, 0.999), "Adam's moment decay rates",
                      lambda v: None if len(v) == 2 and all(0 <= b < 1 for b in v) else "be two numbers in [0, 1)"),
            eps=Key(1e-8, "the optimizer's epsilon", positive),
            optimizer=Key("adam", "'adam' (DI-engine's A2C) or 'rmsprop' (the A2C paper's and SB3's: no momentum, "
                          "alpha 0.99, epsilon learn.eps; SB3 uses 1e-5)", one_of("adam", "rmsprop"),
                          resume=SHAPES, di=LITE),
            grad_norm=Key(0.5, "max global gradient norm (0 disables clipping)", non_negative),
            value_weight=Key(0.5, "weight of the value loss (a plain MSE, no 1/2)", non_negative),
            entropy_weight=Key(0.01, "weight of the entropy bonus", non_negative),
            adv_norm=Key(False, "standardise the advantages of each minibatch"),
            ignore_done=Key(False, "treat terminations like time limits: bootstrap from V(final observation)"),
            discount_factor=Key(None, "DI-engine's A2C reads collect.discount_factor; this copy is read by neither",
                                di=IGNORED),
        ),
        collect=dict(
            n_sample=Key(80, "transitions per collect, over all collector envs (rounded up to a multiple)", positive),
            discount_factor=0.9,
            gae_lambda=Key(0.95, "GAE's lambda", in_unit_interval),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        learn = cfg["learn"]
        if learn["optimizer"] == "rmsprop":  # replaces the Adam under its checkpoint name
            self.optimizer = self.register("optimizer", RMSprop(self.optimized_parameters(), lr=learn["learning_rate"],
                                                                alpha=0.99, eps=learn["eps"]))
        else:
            self.optimizer.betas, self.optimizer.eps = tuple(learn["betas"]), learn["eps"]

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        out, value = self.model(batch["obs"])
        logp, entropy = self.log_prob_entropy(out, batch["action"])
        adv = batch["adv"]
        returns = batch["value"] + adv  # the target is built before any normalisation
        if learn["adv_norm"] and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        total, _, info = a2c_loss(logp, entropy, value, adv, returns, learn["value_weight"], learn["entropy_weight"])
        grad_norm = self.optimize(total, self.optimizer, learn["grad_norm"] or float("inf"))
        return {
            "total_loss": total.item(),
            "policy_loss": info["policy_loss"].item(),
            "value_loss": info["value_loss"].item(),
            "entropy": info["entropy"].item(),
            "adv_abs_max": adv.abs().max().item(),
            "grad_norm": grad_norm.item(),
            "cur_lr": self.optimizer.lr,
        }
