"""The on-policy actor-critic family: stochastic acting, GAE rollouts and minibatch epochs over a VAC model.

An algorithm on this family (PPO, PG, A2C, TRPO, ...) adds its config diff and ``learn_step`` (its loss);
PG also replaces ``process_rollout`` because it learns from whole episodes.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import IGNORED, LITE, SHAPES, Key
from ding_lite.config.rules import in_unit_interval, one_of, positive
from ding_lite.model.common.distributions import (
    categorical_entropy,
    categorical_log_prob,
    gaussian_entropy,
    gaussian_log_prob,
    sample_categorical,
    sample_gaussian,
)
from ding_lite.model.vac import KEYS as VAC_KEYS
from ding_lite.model.vac import VAC, ActorOut
from ding_lite.policy.base import Policy
from ding_lite.rl_utils import gae

VALUE_CHUNK = 4096
"""Observations per critic forward when values are computed for a whole collect."""


class OnPolicy(Policy):
    """Acts by sampling the actor's distribution; learns from what its current policy collected."""

    config: ClassVar[dict] = dict(
        on_policy=Key(True, "learns only from data its current policy collected",
                      lambda v: None if v is True else "be True: this policy type learns from what its current policy "
                      "collected, as DI-engine's does (PPO's replay variant is policy.type 'ppo_offpolicy')"),
        action_space=Key("discrete", "'discrete' or 'continuous'; must match model.action_space",
                         one_of("discrete", "continuous"), resume=SHAPES),
        obs_norm=Key(False, "normalise observations with a running mean/std (kept in the checkpoint), updated once "
                     "per collect after it, so a collect and its training use the same statistics", resume=SHAPES,
                     di=LITE),
        obs_norm_clip=Key(10.0, "normalised observations are clipped to +-this", positive, di=LITE),
        model=VAC_KEYS,
        learn=dict(
            epoch_per_collect=Key(10, "passes over each collected batch", positive),
            batch_size=Key(64, "minibatch size of one gradient update (one train_iter)", positive),
            learning_rate=Key(3e-4, "Adam step size", positive),
        ),
        collect=dict(
            unroll_len=Key(1, "transitions are single steps here", one_of(1)),
            discount_factor=Key(0.99, "gamma", in_unit_interval),
            collector_env_num=Key(None, "a copy of env.collector_env_num in DI-engine's files, read by neither",
                                  di=IGNORED),
        ),
        eval=dict(),
        other=dict(replay_buffer=dict(type=Key(None, "create_config's replay_buffer type (e.g. 'naive'): an on-policy "
                                                 "learner keeps no buffer", di=IGNORED))),
    )
    collects_value = True
    """Whether collect also runs the critic and keeps value and log-prob (PG's plain episodes need neither)."""

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.continuous = cfg["model"]["action_space"] == "continuous"
        self.model = self.register("model", self.build_model().to(self.device))
        self.gae_inputs: dict[str, Any] = {}  # the [T, N] collect being trained on (see process_rollout)
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
        """The most likely action (the Gaussian's mean); with ``deterministic_eval=False`` (PG's DI-engine key) a
        sample of the action distribution instead, discrete or continuous, as DI-engine's PG does."""
        out = self.model.actor(self.obs(obs))
        sample = not self.cfg.get("deterministic_eval", True)
        if self.continuous:
            mean, log_std = out
            action = sample_gaussian(mean, log_std, self.collect_generator) if sample else mean
            return self._clip_to_bounds(self.numpy(action))
        if sample:
            return self.numpy(sample_categorical(torch.log_softmax(out, -1), self.collect_generator))
        return self.numpy(out.argmax(-1))

    # ----------------------------------------------------------------- rollouts and minibatches

    def value_std(self) -> float:
        """The scale of the critic's outputs in returns (PPO's ``value_norm`` learns returns / a running std)."""
        return 1.0

    def critic_values(self, obs: torch.Tensor) -> torch.Tensor:
        """``model.value`` over any number of observations, in chunks (bounds a Pong collect's memory)."""
        if not len(obs):
            return torch.zeros(0, device=self.device)
        return torch.cat([self.model.value(part) for part in obs.split(VALUE_CHUNK)])

    def advantages(self, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """GAE over the kept collect (:attr:`gae_inputs`) on ``values`` [T, N]: (advantages, returns in reward units).

        A step bootstraps from the next row's value, the last row from the value of the obs after it, and an
        episode cut by a time limit (any end with DI-engine's ``learn.ignore_done``) from its final observation.
        """
        r = self.gae_inputs
        next_values = torch.empty_like(values)
        next_values[:-1] = values[1:]
        next_values[-1] = self.model.value(r["last_obs"])
        next_values[r["boot"]] = self.critic_values(r["boot_obs"])
        std, collect = self.value_std(), self.cfg["collect"]
        return gae(r["reward"], values * std, next_values * std, r["terminated"], r["truncated"],
                   collect["discount_factor"], collect["gae_lambda"])

    @torch.no_grad()
    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, torch.Tensor]:
        """GAE over the [T, N] rollout, kept in :attr:`gae_inputs` for algorithms that recompute it per epoch.

        Observations are normalised with the statistics the collect used; the statistics then absorb
        this rollout, for the next collect.
        """
        terminated, truncated = rollout["terminated"], rollout["truncated"]
        if self.cfg["learn"].get("ignore_done"):  # DI-engine's key (A2C, PPO): a termination bootstraps too
            terminated, truncated = np.zeros_like(terminated), terminated | truncated
        boot = np.nonzero(truncated)
        self.gae_inputs = {"reward": self.to_tensor(rollout["reward"]), "terminated": self.to_tensor(terminated),
                           "truncated": self.to_tensor(truncated), "boot": boot, "last_obs": self.obs(last_obs),
                           "boot_obs": self.obs(rollout["final_obs"][boot])}
        values = self.to_tensor(rollout["value"])
        adv, ret = self.advantages(values)
        obs = self.obs(rollout["obs"])
        if self.obs_rms is not None:
            self.obs_rms.update(rollout["obs"].reshape(-1, *rollout["obs"].shape[2:]))
        flat = {"obs": obs, "action": self.to_tensor(rollout["action"]), "logp": self.to_tensor(rollout["logp"]),
                "value": values, "adv": adv, "ret": ret / self.value_std()}
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
