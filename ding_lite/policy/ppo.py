"""PPO (clipped surrogate, GAE, value loss, entropy bonus) for discrete and continuous actions.

DI-engine's PPO keys are here with its meaning and its defaults (``recompute_adv`` and ``learn.value_norm``
True); the shipped configs name the values they were tuned with.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import IGNORED, SHAPES, Key
from ding_lite.config.rules import in_unit_interval, non_negative, one_of, positive
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils import normalize_advantages, ppo_policy_loss, ppo_value_loss
from ding_lite.utils.normalizer import RunningMeanStd


def _lr_scheduler(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"epoch_num", "min_lr_lambda"}:
        return "be None or dict(epoch_num=..., min_lr_lambda=...) (DI-engine's linear decay)"
    if not value["epoch_num"] > 0 or not 0 <= value["min_lr_lambda"] <= 1:
        return "have epoch_num > 0 and min_lr_lambda between 0 and 1"
    return None


def _one_update_cycle(value: Any) -> str | None:
    return None if value == 1 else ("be 1: on-policy PPO trains once per collect (learn.epoch_per_collect passes "
                                     "over it), as DI-engine's does")


class PPOPolicy(OnPolicy):
    name = "ppo"
    config: ClassVar[dict] = dict(
        type="ppo",
        recompute_adv=Key(True, "before every epoch, recompute values and GAE with the critic being trained",
                          absent=False),
        learn=dict(
            value_weight=Key(0.5, "weight of the value loss in the total loss", non_negative),
            entropy_weight=Key(0.0, "weight of the entropy bonus", non_negative),
            clip_ratio=Key(0.2, "PPO's probability-ratio clip range", positive),
            value_clip=Key(False, "clip the value update to clip_ratio around the collected value"),
            adv_norm=Key(True, "normalise advantages per minibatch"),
            grad_clip_value=Key(0.5, "max global gradient norm (0 disables clipping)", non_negative),
            action_bound=Key("clip", "continuous only: 'clip' actions to the env bounds when stepping",
                             one_of("clip")),
            value_norm=Key(True, "the critic learns returns divided by a running std of the returns (updated every "
                           "epoch, kept in the checkpoint); GAE runs on values scaled back by that std",
                           resume=SHAPES, absent=False),
            lr_scheduler=Key(None, "dict(epoch_num, min_lr_lambda): the k-th collect trains at learning_rate * "
                             "max(1 - k * (1 - min_lr_lambda) / epoch_num, min_lr_lambda)", _lr_scheduler,
                             resume=SHAPES),
            grad_clip_type=Key("clip_norm", "clip the global 2-norm to grad_clip_value (the one kind here)",
                               one_of("clip_norm")),
            update_per_collect=Key(1, "one training pass per collect (DI-engine's on-policy PPO never reads it)",
                                   _one_update_cycle, di=IGNORED),
            ignore_done=Key(False, "bootstrap through terminations too, as through time limits"),
        ),
        collect=dict(
            n_sample=Key(256, "transitions per collect, over all collector envs (rounded up to a multiple)", positive),
            gae_lambda=Key(0.95, "GAE's lambda", in_unit_interval),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.value_rms = self.register("value_rms", RunningMeanStd((1,))) if cfg["learn"]["value_norm"] else None
        if cfg["learn"]["lr_scheduler"] is not None:
            self.register_counter("lr_epoch")  # collects trained on so far (DI-engine's LambdaLR epoch)

    def value_std(self) -> float:
        """DI-engine's ``RunningMeanStd.std``: sqrt(var + 1e-8) of the returns seen; 1 without value_norm."""
        return 1.0 if self.value_rms is None else np.sqrt(self.value_rms.var + self.value_rms.eps).item()

    @torch.no_grad()
    def before_epoch(self, data: dict[str, torch.Tensor]) -> None:
        """DI-engine's per-epoch targets: recomputed advantages (``recompute_adv``) and, with ``value_norm``,
        returns normalised by the running std, which then absorbs this epoch's unnormalised returns."""
        if self.cfg["recompute_adv"]:
            values = self.critic_values(data["obs"]).reshape(self.gae_inputs["reward"].shape)
            adv, unnormalized = self.advantages(values)
            data["value"], data["adv"] = values.reshape(-1), adv.reshape(-1)
            unnormalized = unnormalized.reshape(-1)
        elif self.value_rms is not None:
            unnormalized = data["adv"] + data["value"] * self.value_std()
        else:
            return
        data["ret"] = unnormalized / self.value_std()
        if self.value_rms is not None:
            self.value_rms.update(self.numpy(unnormalized))

    def train_batches(self, data: dict[str, torch.Tensor]) -> Iterator[dict[str, torch.Tensor]]:
        """The family's epochs, at the scheduled learning rate of this collect (``lr_scheduler``)."""
        schedule = self.cfg["learn"]["lr_scheduler"]
        if schedule is not None:
            floor = schedule["min_lr_lambda"]
            scale = max(1.0 - self.lr_epoch * (1.0 - floor) / schedule["epoch_num"], floor)
            self.optimizer.lr = self.cfg["learn"]["learning_rate"] * scale
            self.lr_epoch += 1
        return super().train_batches(data)

    # ----------------------------------------------------------------- learning

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        total, info = self.ppo_loss(batch)
        grad_norm = self.optimize(total, self.optimizer, self.cfg["learn"]["grad_clip_value"] or math.inf)
        return {"total_loss": total.item(), **info, "grad_norm": grad_norm.item(), "cur_lr": self.optimizer.lr}

    def ppo_loss(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, float]]:
        """PPO's clipped policy loss, weighted value loss and entropy bonus, and what to log."""
        learn = self.cfg["learn"]
        out, value = self.model(batch["obs"])
        logp, entropy = self.log_prob_entropy(out, batch["action"])
        adv = normalize_advantages(batch["adv"]) if learn["adv_norm"] and len(batch["adv"]) > 1 else batch["adv"]
        policy_loss, info = ppo_policy_loss(logp, batch["logp"], adv, learn["clip_ratio"])
        value_clip = learn["clip_ratio"] if learn["value_clip"] else None
        value_loss = ppo_value_loss(value, batch["value"], batch["ret"], value_clip)
        entropy_mean = entropy.mean()
        total = policy_loss + learn["value_weight"] * value_loss
        if learn["entropy_weight"]:  # with weight 0 the entropy is only logged: keep it out of backward (~9%)
            total = total - learn["entropy_weight"] * entropy_mean
        return total, {
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy_mean.item(),
            "approx_kl": info["approx_kl"].item(),
            "clipfrac": info["clipfrac"].item(),
        }
