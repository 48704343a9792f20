"""REINFORCE (Monte-Carlo policy gradient) over whole episodes, with an optional baseline.

Needs the episode collector (``create_config['collector'] = dict(type='episode')`` or
``policy.collect.collector.type='episode'``): ``process_rollout`` gets a list of finished episodes
and computes each step's discounted return inside its own episode.

Baselines (``learn.baseline``): ``'none'`` (plain REINFORCE, advantage = return), ``'mean'``
(subtract the batch's mean return) or ``'value'`` (a learned state value V(s), trained by regression
on the returns; episodes cut by a time limit then bootstrap their return from V(final observation)).
``learn.adv_norm`` standardises the advantages of each collect on top of that.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from ding_lite.config.compile import in_unit_interval, non_negative, one_of, positive
from ding_lite.model.actor_critic import ActorCritic
from ding_lite.model.actor_critic import default_config as model_default_config
from ding_lite.model.adam import Adam, clip_grad_norm_
from ding_lite.policy.base import Policy
from ding_lite.rl_utils import discounted_returns

BASELINES = ("none", "mean", "value")


class PGPolicy(Policy):
    name = "pg"

    @staticmethod
    def default_config() -> dict:
        return dict(
            type="pg",  # policy name in the registry
            cuda=False,  # ding_lite trains on the CPU; True is refused rather than ignored
            on_policy=True,  # REINFORCE learns only from episodes its current policy collected
            action_space="discrete",  # categorical policy over discrete actions
            deterministic_eval=True,  # DI-engine key: eval takes the most likely action (False: samples)
            model=model_default_config(),
            learn=dict(
                batch_size=64,  # transitions per gradient update (one train_iter)
                epoch_per_collect=1,  # passes over each collect's episodes
                learning_rate=0.001,  # Adam step size
                entropy_weight=0.01,  # weight of the entropy bonus
                grad_norm=5.0,  # DI-engine key: max global gradient norm (0 disables clipping)
                ignore_done=False,  # DI-engine key: treat terminations like time limits (needs baseline 'value')
                baseline="none",  # 'none', 'mean' (batch mean return) or 'value' (learned V(s))
                value_weight=0.5,  # weight of the value regression loss (baseline 'value' only)
                adv_norm=False,  # standardise the advantages of each collect
            ),
            collect=dict(
                n_episode=8,  # whole episodes per collect (over all collector envs)
                unroll_len=1,  # DI-engine key; transitions are single steps here
                discount_factor=0.99,  # gamma of the Monte-Carlo returns
            ),
            eval=dict(),
        )

    @staticmethod
    def config_rules() -> dict:
        return {
            **Policy.config_rules(),
            "policy.action_space": one_of("discrete"),
            "policy.model.action_space": one_of("discrete"),
            "policy.learn.epoch_per_collect": positive,
            "policy.learn.entropy_weight": non_negative,
            "policy.learn.grad_norm": non_negative,
            "policy.learn.baseline": one_of(*BASELINES),
            "policy.learn.value_weight": non_negative,
            "policy.collect.n_episode": positive,
            "policy.collect.unroll_len": one_of(1),
            "policy.collect.discount_factor": in_unit_interval,
            "policy.collect.collector.type": lambda v: None if v == "episode" else (
                "be 'episode': REINFORCE learns from whole episodes (DI-engine: create_config "
                "collector=dict(type='episode'))"),
        }

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.model = ActorCritic(**cfg["model"])
        self.use_value = cfg["learn"]["baseline"] == "value"
        if self.use_value:
            params = list(self.model.parameters())
        else:  # the critic is unused: leave it out so every optimised parameter gets a gradient
            m = self.model
            params = [*m.actor_encoder.parameters(), *m.actor_body.parameters(), *m.actor_out.parameters()]
        self._params = params
        self.optimizer = Adam(params, lr=cfg["learn"]["learning_rate"])

    def learn_modules(self) -> dict:
        return {"model": self.model, "optimizer": self.optimizer}

    def _logits(self, obs: torch.Tensor) -> torch.Tensor:
        m = self.model
        return m.actor_out(m.actor_body(m.actor_encoder(obs)))

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        log_p = torch.log_softmax(self._logits(torch.from_numpy(obs)), dim=-1)
        u = torch.rand(log_p.shape[0], 1, generator=self.collect_generator)
        action = (log_p.exp().cumsum(-1) < u).sum(-1).clamp_(max=log_p.shape[-1] - 1)
        action_np = action.numpy()
        return {"action": action_np, "env_action": action_np}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        logits = self._logits(torch.from_numpy(obs))
        if self.cfg["deterministic_eval"]:
            return logits.argmax(-1).numpy()
        u = torch.rand(logits.shape[0], 1, generator=self.collect_generator)
        return (torch.softmax(logits, -1).cumsum(-1) < u).sum(-1).clamp_(max=logits.shape[-1] - 1).numpy()

    @torch.no_grad()
    def process_rollout(self, episodes: list[dict[str, np.ndarray]], last_obs: None = None) -> dict[str, torch.Tensor]:
        """Discounted return of every step within its episode, and the advantage the baseline leaves."""
        gamma = self.cfg["collect"]["discount_factor"]
        learn = self.cfg["learn"]
        obs, action, ret = [], [], []
        for ep in episodes:
            reward = torch.from_numpy(ep["reward"]).to(torch.float32)
            dones = torch.zeros_like(reward)
            last_value = None
            cut = bool(ep["truncated"][-1]) or (learn["ignore_done"] and bool(ep["terminated"][-1]))
            if self.use_value and cut:
                last_value = self.model.value(torch.from_numpy(ep["final_obs"][-1:]))[0]
            ret.append(discounted_returns(reward, dones, gamma, last_value))
            obs.append(torch.from_numpy(ep["obs"]))
            action.append(torch.from_numpy(ep["action"]))
        data = {"obs": torch.cat(obs), "action": torch.cat(action), "ret": torch.cat(ret)}
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

    def train_batches(self, data: dict[str, torch.Tensor]) -> Iterator[dict[str, torch.Tensor]]:
        size = data["obs"].shape[0]
        batch = self.cfg["learn"]["batch_size"]
        for _ in range(self.cfg["learn"]["epoch_per_collect"]):
            order = torch.randperm(size, generator=self.learn_generator)
            for start in range(0, size, batch):
                idx = order[start:start + batch]
                yield {k: v[idx] for k, v in data.items()}

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        m = self.model
        feature = m.actor_encoder(batch["obs"])
        log_p = torch.log_softmax(m.actor_out(m.actor_body(feature)), dim=-1)
        logp = log_p.gather(-1, batch["action"].long().unsqueeze(-1)).squeeze(-1)
        policy_loss = -(logp * batch["adv"]).mean()
        entropy = -(log_p.exp() * log_p).sum(-1).mean()
        total = policy_loss - learn["entropy_weight"] * entropy
        info = {}
        if self.use_value:
            value = m.critic(m.critic_encoder(batch["obs"])).squeeze(-1)
            value_loss = 0.5 * (value - batch["ret"]).pow(2).mean()
            total = total + learn["value_weight"] * value_loss
            info["value_loss"] = value_loss.item()
        self.optimizer.zero_grad()
        total.backward()
        max_norm = learn["grad_norm"] or float("inf")
        grad_norm = clip_grad_norm_(self._params, max_norm)
        self.optimizer.step()
        return {
            "total_loss": total.item(),
            "policy_loss": policy_loss.item(),
            "entropy": entropy.item(),
            "return_mean": batch["ret"].mean().item(),
            "grad_norm": grad_norm.item(),
            "cur_lr": self.optimizer.lr,
            **info,
        }
