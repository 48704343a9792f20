"""Soft Q-network (SQN) on the Q-learning family, as DI-engine 0.5.3's ``sqn`` policy: discrete soft actor-critic
without an actor, the policy being ``softmax(Q / alpha)`` of twin Q-networks (``rl_utils.soft_q.sqn_losses``).

Gamma is ``learn.discount_factor`` (as DI-engine's SQN reads it); targets follow softly (``learn.target_theta``)
after every update; alpha learns towards ``learn.target_entropy``. Collecting samples ``softmax(Q0 / alpha)`` with
DI-engine's probability ``1 / (decay - n)`` (n: updates so far) until ``decay - 1000`` updates, then 0.999, and
otherwise acts uniformly (``other.eps.decay``); each env draws for itself (DI-engine draws once per batch).
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import IGNORED, Key
from ding_lite.config.rules import in_unit_interval, one_of, positive
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.model.q_network import TwinQNetwork
from ding_lite.policy.base import MULTI_GPU_REFUSAL
from ding_lite.policy.q_learning import QLearning
from ding_lite.policy.sac import Temperature
from ding_lite.rl_utils.soft_q import sqn_losses


class SQNPolicy(QLearning):
    name = "sqn"
    config: ClassVar[dict] = dict(
        type="sqn",
        discount_factor=Key(None, "not this policy's key: DI-engine's SQN reads learn.discount_factor",
                            lambda v: None if v is None else
                            "be left unset: SQN reads policy.learn.discount_factor (DI-engine's key)"),
        nstep=Key(1, "SQN learns 1-step targets", one_of(1)),
        learn=dict(
            update_per_collect=16,
            learning_rate_q=Key(0.001, "Adam step size of both Q-networks", positive),
            learning_rate_alpha=Key(0.001, "Adam step size of log(alpha)", positive),
            target_update_freq=Key(0, "soft target updates at target_theta after every update", one_of(0)),
            alpha=Key(0.2, "initial temperature", positive),
            discount_factor=Key(0.99, "gamma", in_unit_interval),
            target_entropy=Key(0.2, "the entropy (nats) of softmax(Q / alpha) alpha steers towards"),
            multi_gpu=Key(False, "DI-engine's copy of policy.multi_gpu", lambda v: None if not v else MULTI_GPU_REFUSAL),
        ),
        collect=dict(nstep=Key(None, "a stale copy in DI-engine's CartPole file: its SQN learns 1-step targets",
                               di=IGNORED)),
        other=dict(eps=dict(start=1.0, end=0.8, decay=2000)),  # only decay is read: the sampling schedule
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.optimizer = self.make_optimizer("optimizer", self.model.parameters(), lr_key="learning_rate_q")
        self.temperature = self.register("temperature", Temperature(cfg["learn"]["alpha"], log_space=True)
                                         .to(self.device))
        self.alpha_optimizer = self.make_optimizer("alpha_optimizer", self.temperature.parameters(),
                                                   "learning_rate_alpha")

    def build_model(self) -> torch.nn.Module:
        return TwinQNetwork(**self.cfg["model"])

    def sample_probability(self) -> float:
        decay = self.cfg["other"]["eps"]["decay"]
        return 1.0 / (decay - self.learn_count) if self.learn_count < decay - 1000 else 0.999

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        n = obs.shape[0]
        u = self.rand((n,), self.collect_generator)
        random_action = self.randint(self.action_shape, (n,), self.collect_generator)
        logits = self.model.q_values(self.obs(obs)) / self.temperature.alpha()
        probs = torch.softmax(logits - logits.max(-1, keepdim=True).values, -1).cpu()
        sampled = torch.multinomial(probs, 1, generator=self.collect_generator).squeeze(1).to(self.device)
        action = torch.where(u < self.sample_probability(), sampled, random_action)
        self.collect_envstep += n
        action_np = self.numpy(action)
        return {"action": action_np, "env_action": action_np}

    def train_batches(self, buffer: ReplayBuffer) -> Iterator[dict[str, torch.Tensor]]:
        learn = self.cfg["learn"]
        for _ in range(learn["update_per_collect"]):
            batch = buffer.sample(learn["batch_size"], 1, learn["discount_factor"], self.learn_generator,
                                  learn["ignore_done"])
            yield batch if self.device.type == "cpu" else {k: v.to(self.device) for k, v in batch.items()}

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        action = batch["action"].long().unsqueeze(1)
        q0, q1 = self.model.twin_q_values(batch["obs"])
        with torch.no_grad():
            next_q0, next_q1 = self.target_model.twin_q_values(batch["bootstrap_obs"])
        q_loss, alpha_loss, info = sqn_losses(q0.gather(1, action).squeeze(1), q1.gather(1, action).squeeze(1),
                                              next_q0, next_q1, batch["returns"], batch["discount"],
                                              self.temperature.value, self.cfg["learn"]["target_entropy"])
        self.optimize(q_loss, self.optimizer, None)
        self.optimize(alpha_loss, self.alpha_optimizer, None)
        self.learn_count += 1
        self.target.update(self.learn_count)
        return {"q_loss": q_loss.item(), "alpha_loss": alpha_loss.item(), "entropy": info["entropy"].item(),
                "alpha": math.exp(self.temperature.value.item()), "q_value": q0.detach().mean().item(),
                "target_q_value": info["target_q_value"].item()}
