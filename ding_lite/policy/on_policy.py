"""The on-policy actor-critic family: stochastic acting, GAE rollouts and minibatch epochs over a VAC model.

An algorithm on this family (PPO, PG, A2C, TRPO, ...) adds its config diff and ``learn_step`` (its loss);
PG also replaces ``process_rollout`` because it learns from whole episodes.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.compile import in_unit_interval, non_negative, one_of, positive
from ding_lite.model.common.distributions import (
    categorical_entropy,
    categorical_log_prob,
    gaussian_entropy,
    gaussian_log_prob,
    sample_categorical,
    sample_gaussian,
)
from ding_lite.model.vac import VAC, ActorOut, activation_rule
from ding_lite.model.vac import default_config as vac_config
from ding_lite.policy.base import Policy
from ding_lite.rl_utils import gae


class OnPolicy(Policy):
    """Acts by sampling the actor's distribution; learns from what its current policy collected."""

    config: ClassVar[dict] = dict(
        on_policy=True,  # learns only from data its current policy collected
        action_space="discrete",  # 'discrete' or 'continuous'; must match model.action_space
        model=vac_config(),
        learn=dict(
            epoch_per_collect=10,  # passes over each collected batch
            batch_size=64,  # minibatch size of one gradient update (one train_iter)
            learning_rate=3e-4,  # Adam step size
        ),
        collect=dict(
            unroll_len=1,  # DI-engine key; transitions are single steps here
            discount_factor=0.99,  # gamma
        ),
        eval=dict(),
    )
    rules: ClassVar[dict] = {
        "action_space": one_of("discrete", "continuous"),
        "learn.epoch_per_collect": positive,
        "learn.batch_size": positive,
        "learn.learning_rate": positive,
        "collect.unroll_len": one_of(1),
        "collect.discount_factor": in_unit_interval,
        "model.actor_head_layer_num": non_negative,
        "model.critic_head_layer_num": non_negative,
        "model.activation": activation_rule,
        "model.bound_type": one_of(None, "tanh"),
    }
    collects_value = True
    """Whether collect also runs the critic and keeps value and log-prob (PG's plain episodes need neither)."""

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.continuous = cfg["model"]["action_space"] == "continuous"
        self.model = self.register("model", self.build_model().to(self.device))
        self.optimizer = self.make_optimizer("optimizer", self.optimized_parameters())

    def build_model(self) -> VAC:
        """The family's model; an algorithm with more networks (PPG) returns a VAC subclass."""
        return VAC(**self.cfg["model"])

    def optimized_parameters(self) -> list[torch.nn.Parameter]:
        return list(self.model.parameters())

    # ----------------------------------------------------------------- distributions

    def log_prob_entropy(self, out: ActorOut, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(log-prob of ``action``, entropy) under the actor output."""
        if self.continuous:
            mean, log_std = out
            return gaussian_log_prob(action, mean, log_std), gaussian_entropy(log_std)
        log_p = torch.log_softmax(out, dim=-1)
        entropy = categorical_entropy(log_p)
        return categorical_log_prob(log_p, action), entropy

    def _clip_to_bounds(self, action: np.ndarray) -> np.ndarray:
        return action if self.action_low is None else np.clip(action, self.action_low, self.action_high)

    # ----------------------------------------------------------------- collect / eval

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        x = self.obs(obs)
        out, value = self.model(x) if self.collects_value else (self.model.actor(x), None)
        if self.continuous:
            mean, log_std = out
            action = sample_gaussian(mean, log_std, self.collect_generator)
            logp = gaussian_log_prob(action, mean, log_std)
            action_np = self.numpy(action)
            result = {"action": action_np, "env_action": self._clip_to_bounds(action_np)}
        else:
            log_p = torch.log_softmax(out, dim=-1)
            action = sample_categorical(log_p, self.collect_generator)
            logp = categorical_log_prob(log_p, action)
            action_np = self.numpy(action)
            result = {"action": action_np, "env_action": action_np}
        if value is not None:
            result.update(logp=self.numpy(logp), value=self.numpy(value))
        return result

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        """The most likely action (``deterministic_eval=False``, a DI-engine key, samples instead)."""
        out = self.model.actor(self.obs(obs))
        if self.continuous:
            return self._clip_to_bounds(self.numpy(out[0]))
        if not self.cfg.get("deterministic_eval", True):
            return self.numpy(sample_categorical(torch.log_softmax(out, -1), self.collect_generator))
        return self.numpy(out.argmax(-1))

    # ----------------------------------------------------------------- rollouts and minibatches

    @torch.no_grad()
    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, torch.Tensor]:
        """GAE over the [T, N] rollout; a truncated episode bootstraps from the value of its final observation.

        Observations are normalised with the statistics the collect used; the statistics then absorb
        this rollout, for the next collect.
        """
        values = self.to_tensor(rollout["value"])
        next_values = torch.empty_like(values)
        next_values[:-1] = values[1:]
        next_values[-1] = self.model.value(self.obs(last_obs))
        trunc_t, trunc_i = np.nonzero(rollout["truncated"])
        if len(trunc_t):
            next_values[trunc_t, trunc_i] = self.model.value(self.obs(rollout["final_obs"][trunc_t, trunc_i]))
        collect = self.cfg["collect"]
        adv, ret = gae(self.to_tensor(rollout["reward"]), values, next_values, self.to_tensor(rollout["terminated"]),
                       self.to_tensor(rollout["truncated"]), collect["discount_factor"], collect["gae_lambda"])
        obs = self.obs(rollout["obs"])
        if self.obs_rms is not None:
            self.obs_rms.update(rollout["obs"].reshape(-1, *rollout["obs"].shape[2:]))
        flat = {"obs": obs, "action": self.to_tensor(rollout["action"]), "logp": self.to_tensor(rollout["logp"]),
                "value": values, "adv": adv, "ret": ret}
        return {k: v.reshape(-1, *v.shape[2:]) for k, v in flat.items()}

    def before_epoch(self, data: dict[str, torch.Tensor]) -> None:
        """Called before each epoch's shuffle; an algorithm may refresh its targets here (PPO's recompute_adv)."""

    def train_batches(self, data: dict[str, torch.Tensor]) -> Iterator[dict[str, torch.Tensor]]:
        """``epoch_per_collect`` shuffled passes of ``batch_size`` minibatches (the last one may be smaller)."""
        size = next(iter(data.values())).shape[0]
        batch = self.cfg["learn"]["batch_size"]
        for _ in range(self.cfg["learn"]["epoch_per_collect"]):
            self.before_epoch(data)
            order = torch.randperm(size, generator=self.learn_generator).to(self.device)
            for start in range(0, size, batch):
                idx = order[start:start + batch]
                yield {k: v.index_select(0, idx) for k, v in data.items()}  # ~0.65x the time of v[idx]
