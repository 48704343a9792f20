"""The Q-learning family: epsilon-greedy over ``q_values``, a target network, replay (from OffPolicy).

Exploration follows the collector's env step without knowing about the collector: every
``collect_forward`` call adds ``len(obs)`` to ``self.collect_envstep``, which equals the collector's
envstep (one call per vector step over all collector envs) and is a registered counter, so a resumed
run continues the epsilon schedule where it was. An algorithm (DQN, C51, QR-DQN, ...) adds its config
diff, its model head and ``learn_step`` (its loss).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import LITE, SHAPES, Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.model.q_network import KEYS as Q_KEYS
from ding_lite.model.q_network import QNetwork
from ding_lite.policy.epsilon_greedy import EpsilonGreedy
from ding_lite.policy.off_policy import OffPolicy
from ding_lite.torch_utils.target import TargetNetwork


class QLearning(EpsilonGreedy, OffPolicy):
    config: ClassVar[dict] = dict(
        action_space=Key("discrete", "Q-learning over discrete actions only", one_of("discrete"), resume=SHAPES,
                         di=LITE),
        model=Q_KEYS,
        learn=dict(
            learning_rate=Key(0.001, "Adam step size", positive),
            target_update_freq=Key(100, "hard copy into the target net every N train_iters (0: soft updates)",
                                   non_negative),
            target_theta=Key(0.005, "soft update rate, used only when target_update_freq is 0",
                             lambda v: None if 0 < v <= 1 else "be in (0, 1]"),
            double_q=Key(True, "online net picks the bootstrap action, target net values it (DI-engine's DQN)",
                         di=LITE),
            grad_clip_value=Key(0.0, "max global gradient norm (0 disables clipping)", non_negative, di=LITE),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        learn = cfg["learn"]
        self.model = self.register("model", self.build_model().to(self.device))
        target = TargetNetwork(self.model, self.build_model().to(self.device), learn["target_update_freq"],
                               learn["target_theta"])
        self.target_model = self.register("target_model", target.net)
        self.target = target
        self.optimizer = self.make_optimizer("optimizer", self.model.parameters())
        self.init_epsilon(cfg)
        self.action_shape = cfg["model"]["action_shape"]
        self.register_counter("collect_envstep")  # env steps acted on in collect mode (== collector envstep)
        self.register_counter("learn_count")  # gradient updates made by this policy (drives hard target updates)

    head: str | None = None
    """The model's head in ``model.common.head.HEADS`` (None: 'dueling' or 'discrete' as ``model.dueling`` says)."""
    noisy = False
    """Noisy-net heads: noise is redrawn before every collect (collect generator) and update (learn generator)."""

    def build_model(self) -> torch.nn.Module:
        """Built twice (online and target, in that order), so the initial weights follow the seed as always."""
        return QNetwork(head=self.head, **self.cfg["model"])

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """Epsilon-greedy over the batch; draws the same random numbers whatever epsilon is."""
        n = obs.shape[0]
        eps = self.epsilon()
        u = self.rand((n,), self.collect_generator)
        random_action = self.randint(self.action_shape, (n,), self.collect_generator)
        if eps >= 1.0:
            action = random_action
        else:
            if self.noisy:
                self.model.reset_noise(self.collect_generator)
            action = torch.where(u < eps, random_action, self.model.q_values(self.obs(obs)).argmax(-1))
        self.collect_envstep += n
        action_np = self.numpy(action)
        return {"action": action_np, "env_action": action_np}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        """Greedy; noisy layers use their mean weights here."""
        if not self.noisy:
            return self.numpy(self.model.q_values(self.obs(obs)).argmax(-1))
        self.model.eval()
        try:
            return self.numpy(self.model.q_values(self.obs(obs)).argmax(-1))
        finally:
            self.model.train()

    def online_and_bootstrap(self, batch: dict[str, torch.Tensor], forward: Callable[..., torch.Tensor],
                             *args: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``forward`` (an online-model method) on the obs and, with ``double_q``, on the bootstrap obs in one pass.

        Returns (output for obs, detached output for the bootstrap obs, or None without ``double_q``);
        with noisy heads the noise of both nets is redrawn first.
        """
        if self.noisy:
            self.model.reset_noise(self.learn_generator)
            self.target_model.reset_noise(self.learn_generator)
        if not self.cfg["learn"]["double_q"]:
            return forward(batch["obs"], *args), None
        size = batch["obs"].shape[0]
        out = forward(torch.cat([batch["obs"], batch["bootstrap_obs"]]), *(torch.cat([a, a]) for a in args))
        return out[:size], out[size:].detach()

    def bootstrap_action(self, next_online_q: torch.Tensor | None, next_target_q: torch.Tensor) -> torch.Tensor:
        """Double-Q: the online net picks the bootstrap action; without it the target net does."""
        return (next_target_q if next_online_q is None else next_online_q).argmax(-1)

    def finish_update(self, loss: torch.Tensor, batch: dict[str, torch.Tensor],
                      per_sample_error: torch.Tensor) -> dict[str, float]:
        """Step, feed priorities back, count the update and let the target follow; returns the grad norm entry."""
        grad_norm = self.optimize(loss, self.optimizer, self.cfg["learn"]["grad_clip_value"] or None)
        self.update_priorities(batch, per_sample_error)
        self.learn_count += 1
        self.target.update(self.learn_count)
        return {} if grad_norm is None else {"grad_norm": grad_norm.item()}
