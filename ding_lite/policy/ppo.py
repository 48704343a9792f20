"""PPO (clipped surrogate, GAE, value loss, entropy bonus) for discrete and continuous actions."""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from ding_lite.config.compile import in_unit_interval, non_negative, one_of, positive
from ding_lite.model.actor_critic import ActorCritic
from ding_lite.model.actor_critic import default_config as model_default_config
from ding_lite.model.adam import Adam, clip_grad_norm_
from ding_lite.policy.base import Policy
from ding_lite.rl_utils import gae, normalize_advantages, ppo_policy_loss, ppo_value_loss
from ding_lite.utils.normalizer import RunningMeanStd

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def gaussian_log_prob(action: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """Summed over action dimensions: one log-probability per sample."""
    z = (action - mean) * torch.exp(-log_std)
    return (-0.5 * z.pow(2) - log_std - LOG_SQRT_2PI).sum(-1)


class PPOPolicy(Policy):
    name = "ppo"

    @staticmethod
    def default_config() -> dict:
        return dict(
            type="ppo",  # policy name in the registry
            cuda=False,  # ding_lite trains on the CPU; True is refused rather than ignored
            on_policy=True,  # PPO learns only from data its current policy collected
            action_space="discrete",  # 'discrete' or 'continuous'; must match model.action_space
            # normalise observations with running mean/std (kept in the checkpoint); the statistics are
            # updated once per collect, after it, so a collect and its training use the same ones
            obs_norm=False,
            obs_norm_clip=10.0,  # normalised observations are clipped to +-this
            model=model_default_config(),
            learn=dict(
                epoch_per_collect=10,  # passes over each collected batch
                batch_size=64,  # minibatch size of one gradient update (one train_iter)
                learning_rate=3e-4,  # Adam step size
                value_weight=0.5,  # weight of the value loss in the total loss
                entropy_weight=0.0,  # weight of the entropy bonus
                clip_ratio=0.2,  # PPO's probability-ratio clip range
                value_clip=False,  # clip the value update to clip_ratio around the collected value
                adv_norm=True,  # normalise advantages per minibatch
                grad_clip_value=0.5,  # max global gradient norm (0 disables clipping)
                action_bound="clip",  # continuous only: 'clip' actions to the env bounds when stepping
            ),
            collect=dict(
                n_sample=256,  # transitions per collect, over all collector envs (rounded up to a multiple)
                unroll_len=1,  # DI-engine key; PPO here trains on single transitions
                discount_factor=0.99,  # gamma
                gae_lambda=0.95,  # GAE's lambda
            ),
            eval=dict(),
        )

    @staticmethod
    def config_rules() -> dict:
        return {
            **Policy.config_rules(),
            "policy.action_space": one_of("discrete", "continuous"),
            "policy.obs_norm_clip": positive,
            "policy.learn.epoch_per_collect": positive,
            "policy.learn.value_weight": non_negative,
            "policy.learn.entropy_weight": non_negative,
            "policy.learn.clip_ratio": positive,
            "policy.learn.grad_clip_value": non_negative,
            "policy.learn.action_bound": one_of("clip"),
            "policy.collect.n_sample": positive,
            "policy.collect.unroll_len": one_of(1),
            "policy.collect.discount_factor": in_unit_interval,
            "policy.collect.gae_lambda": in_unit_interval,
        }

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        self.action_low = self.action_high = None
        super().__init__(cfg, seed, action_space)
        model_cfg = cfg["model"]
        self.continuous = model_cfg["action_space"] == "continuous"
        self.model = ActorCritic(**model_cfg)
        learn = cfg["learn"]
        self.optimizer = Adam(self.model.parameters(), lr=learn["learning_rate"])
        self.obs_rms = RunningMeanStd((model_cfg["obs_shape"],), cfg["obs_norm_clip"]) if cfg["obs_norm"] else None

    def set_action_bounds(self, low: np.ndarray, high: np.ndarray) -> None:
        self.action_low, self.action_high = low, high

    def learn_modules(self) -> dict:
        modules = {"model": self.model, "optimizer": self.optimizer}
        if self.obs_rms is not None:
            modules["obs_rms"] = self.obs_rms
        return modules

    def _obs(self, obs: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(obs if self.obs_rms is None else self.obs_rms.normalize(obs))

    def _distribution_log_prob(self, out, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (log-prob of action, entropy) for the policy head output."""
        if self.continuous:
            mean, log_std = out
            entropy = (log_std + 0.5 + LOG_SQRT_2PI).sum(-1)
            return gaussian_log_prob(action, mean, log_std), entropy
        log_p = torch.log_softmax(out, dim=-1)
        entropy = -(log_p.exp() * log_p).sum(-1)
        return log_p.gather(-1, action.long().unsqueeze(-1)).squeeze(-1), entropy

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        out, value = self.model(self._obs(obs))
        if self.continuous:
            mean, log_std = out
            noise = torch.randn(mean.shape, generator=self.collect_generator)
            action = mean + noise * log_std.exp()
            logp = gaussian_log_prob(action, mean, log_std)
            env_action = action.numpy()
            if self.action_low is not None:
                env_action = np.clip(env_action, self.action_low, self.action_high)
            return {"action": action.numpy(), "env_action": env_action, "logp": logp.numpy(), "value": value.numpy()}
        log_p = torch.log_softmax(out, dim=-1)
        u = torch.rand(log_p.shape[0], 1, generator=self.collect_generator)
        action = (log_p.exp().cumsum(-1) < u).sum(-1).clamp_(max=log_p.shape[-1] - 1)
        logp = log_p.gather(-1, action.unsqueeze(-1)).squeeze(-1)
        action_np = action.numpy()
        return {"action": action_np, "env_action": action_np, "logp": logp.numpy(), "value": value.numpy()}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        out, _ = self.model(self._obs(obs))
        if self.continuous:
            action = out[0].numpy()
            return action if self.action_low is None else np.clip(action, self.action_low, self.action_high)
        return out.argmax(-1).numpy()

    @torch.no_grad()
    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, torch.Tensor]:
        """GAE over the [T, N] rollout; a truncated episode bootstraps from the value of its final observation.

        Observations are normalised with the statistics the collect used; the statistics then absorb
        this rollout, for the next collect.
        """
        values = torch.from_numpy(rollout["value"])
        terminated = torch.from_numpy(rollout["terminated"])
        truncated = torch.from_numpy(rollout["truncated"])
        next_values = torch.empty_like(values)
        next_values[:-1] = values[1:]
        next_values[-1] = self.model.value(self._obs(last_obs))
        trunc_t, trunc_i = np.nonzero(rollout["truncated"])
        if len(trunc_t):
            final = self._obs(rollout["final_obs"][trunc_t, trunc_i])
            next_values[trunc_t, trunc_i] = self.model.value(final)
        collect = self.cfg["collect"]
        adv, ret = gae(torch.from_numpy(rollout["reward"]), values, next_values, terminated, truncated,
                       collect["discount_factor"], collect["gae_lambda"])
        obs = self._obs(rollout["obs"])
        if self.obs_rms is not None:
            self.obs_rms.update(rollout["obs"].reshape(-1, rollout["obs"].shape[-1]))
        flat = {
            "obs": obs,
            "action": torch.from_numpy(rollout["action"]),
            "logp": torch.from_numpy(rollout["logp"]),
            "value": values,
            "adv": adv,
            "ret": ret,
        }
        return {k: v.reshape(-1, *v.shape[2:]) for k, v in flat.items()}

    def train_batches(self, data: dict[str, torch.Tensor]) -> Iterator[dict[str, torch.Tensor]]:
        size = data["obs"].shape[0]
        batch = self.cfg["learn"]["batch_size"]
        for _ in range(self.cfg["learn"]["epoch_per_collect"]):
            order = torch.randperm(size, generator=self.learn_generator)
            for start in range(0, size, batch):
                idx = order[start:start + batch]
                yield {k: v.index_select(0, idx) for k, v in data.items()}  # ~0.65x the time of v[idx]

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        out, value = self.model(batch["obs"])
        logp, entropy = self._distribution_log_prob(out, batch["action"])
        adv = normalize_advantages(batch["adv"]) if learn["adv_norm"] and len(batch["adv"]) > 1 else batch["adv"]
        policy_loss, info = ppo_policy_loss(logp, batch["logp"], adv, learn["clip_ratio"])
        value_clip = learn["clip_ratio"] if learn["value_clip"] else None
        value_loss = ppo_value_loss(value, batch["value"], batch["ret"], value_clip)
        entropy_mean = entropy.mean()
        total = policy_loss + learn["value_weight"] * value_loss
        if learn["entropy_weight"]:  # with weight 0 the entropy is only logged: keep it out of backward (~9%)
            total = total - learn["entropy_weight"] * entropy_mean
        self.optimizer.zero_grad()
        total.backward()
        max_norm = learn["grad_clip_value"] or float("inf")
        grad_norm = clip_grad_norm_(self.optimizer.params, max_norm)
        self.optimizer.step()
        return {
            "total_loss": total.item(),
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy_mean.item(),
            "approx_kl": info["approx_kl"].item(),
            "clipfrac": info["clipfrac"].item(),
            "grad_norm": grad_norm.item(),
            "cur_lr": self.optimizer.lr,
        }
