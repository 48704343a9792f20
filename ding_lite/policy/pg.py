"""REINFORCE (Monte-Carlo policy gradient) over whole episodes, with an optional baseline; discrete or Gaussian actions.

Needs the episode collector (``create_config['collector'] = dict(type='episode')`` or
``policy.collect.collector.type='episode'``): ``process_rollout`` gets a list of finished episodes
and computes each step's discounted return inside its own episode.

Baselines (``learn.baseline``): ``'none'`` (plain REINFORCE, advantage = return), ``'mean'``
(subtract the batch's mean return) or ``'value'`` (a learned state value V(s), trained by regression
on the returns; episodes cut by a time limit then bootstrap their return from V(final observation)).
``learn.adv_norm`` standardises the advantages of each collect on top of that.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import LITE, Key, differs
from ding_lite.config.rules import in_unit_interval, non_negative, one_of, positive
from ding_lite.model.common.distributions import categorical_entropy, categorical_log_prob
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils import discounted_returns

BASELINES = ("none", "mean", "value")


def _ignore_done_needs_value(cfg: dict) -> tuple[str, str] | None:
    learn = cfg["policy"]["learn"]
    if learn["ignore_done"] and learn["baseline"] != "value":
        return ("policy.learn.ignore_done", (f"be False with learn.baseline '{learn['baseline']}': a termination can "
                "only bootstrap from a learned V(s) (baseline 'value'); DI-engine's PG raises NotImplementedError for "
                "ignore_done"))
    return None


class PGPolicy(OnPolicy):
    name = "pg"
    config: ClassVar[dict] = dict(
        type="pg",
        deterministic_eval=Key(True, "eval takes the most likely action (False: samples)"),
        learn=dict(
            epoch_per_collect=Key(1, "passes over each collect's episodes", positive),
            learning_rate=0.001,
            entropy_weight=Key(0.01, "weight of the entropy bonus", non_negative),
            grad_norm=Key(5.0, "max global gradient norm (0 disables clipping)", non_negative),
            ignore_done=Key(False, "treat terminations like time limits: bootstrap them from V(final observation) "
                            "(needs baseline 'value'; DI-engine's PG raises NotImplementedError for it)"),
            baseline=Key("none", "'none', 'mean' (batch mean return) or 'value' (learned V(s))", one_of(*BASELINES),
                         di=LITE),
            value_weight=Key(0.5, "weight of the value regression loss (baseline 'value' only)", non_negative,
                             di=LITE),
            adv_norm=Key(False, "standardise the advantages of each collect", di=LITE),
        ),
        collect=dict(
            n_episode=Key(8, "whole episodes per collect (over all collector envs)", positive),
            discount_factor=Key(0.99, "gamma of the Monte-Carlo returns", in_unit_interval),
            collector=dict(type=Key("episode", "'episode': REINFORCE learns from whole episodes",
                                    lambda v: None if v == "episode" else (
                                        "be 'episode': REINFORCE learns from whole episodes (DI-engine: "
                                        "create_config collector=dict(type='episode'))"),
                                    di=differs("sample", "REINFORCE needs whole episodes (DI-engine's pg files "
                                               "name 'episode' themselves)"))),
        ),
    )
    checks = (_ignore_done_needs_value,)

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        self.use_value = cfg["learn"]["baseline"] == "value"
        super().__init__(cfg, seed, action_space)

    def optimized_parameters(self) -> list[torch.nn.Parameter]:
        """Without a value baseline the critic is unused: leave it out so every optimised parameter gets a gradient."""
        return list(self.model.parameters()) if self.use_value else self.model.actor_parameters()

    @torch.no_grad()
    def process_rollout(self, episodes: list[dict[str, np.ndarray]], last_obs: None = None) -> dict[str, torch.Tensor]:
        """Discounted return of every step within its episode, and the advantage the baseline leaves."""
        gamma = self.cfg["collect"]["discount_factor"]
        learn = self.cfg["learn"]
        obs, action, ret = [], [], []
        for ep in episodes:
            reward = self.to_tensor(ep["reward"]).to(torch.float32)
            last_value = None
            cut = bool(ep["truncated"][-1]) or (learn["ignore_done"] and bool(ep["terminated"][-1]))
            if self.use_value and cut:
                last_value = self.model.value(self.obs(ep["final_obs"][-1:]))[0]
            ret.append(discounted_returns(reward, torch.zeros_like(reward), gamma, last_value))
            obs.append(self.obs(ep["obs"]))
            action.append(self.to_tensor(ep["action"]))
        data = {"obs": torch.cat(obs), "action": torch.cat(action), "ret": torch.cat(ret)}
        if self.obs_rms is not None:  # after the episodes were normalised with the statistics they were collected with
            self.obs_rms.update(np.concatenate([ep["obs"] for ep in episodes]))
        if self.use_value:
            adv = data["ret"] - self.model.value(data["obs"])
        elif learn["baseline"] == "mean":
            adv = data["ret"] - data["ret"].mean()
        else:
            adv = data["ret"].clone()
        if learn["adv_norm"] and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        data["adv"] = adv
        return data

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        out = self.model.actor(batch["obs"])
        if self.continuous:
            logp, entropy = self.log_prob_entropy(out, batch["action"])
        else:  # log-prob before entropy: the order backward sums log_p's three uses (bit-identical runs)
            log_p = torch.log_softmax(out, dim=-1)
            logp, entropy = categorical_log_prob(log_p, batch["action"]), categorical_entropy(log_p)
        policy_loss = -(logp * batch["adv"]).mean()
        entropy = entropy.mean()
        total = policy_loss - learn["entropy_weight"] * entropy
        info = {}
        if self.use_value:
            value_loss = 0.5 * (self.model.value(batch["obs"]) - batch["ret"]).pow(2).mean()
            total = total + learn["value_weight"] * value_loss
            info["value_loss"] = value_loss.item()
        grad_norm = self.optimize(total, self.optimizer, learn["grad_norm"] or math.inf)
        return {
            "total_loss": total.item(),
            "policy_loss": policy_loss.item(),
            "entropy": entropy.item(),
            "return_mean": batch["ret"].mean().item(),
            "grad_norm": grad_norm.item(),
            "cur_lr": self.optimizer.lr,
            **info,
        }
