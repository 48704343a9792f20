"""The off-policy actor-critic family: replay (from OffPolicy: uniform, or prioritized by the critics' mean
|TD error| with ``priority``), an actor and critic(s) with their own optimizers, a soft target copy of the whole
model, exploration from the policy's generators, delayed actor updates and a uniform-random warm-up. DDPG, TD3,
SAC and discrete SAC add a config diff, ``explore`` / ``greedy`` and ``learn_step`` (their losses, from
``rl_utils.ac_losses``).

The actor acts in ``[-1, 1]`` (a tanh output), as DI-engine's QAC does; ``env.act_scale=True`` maps that onto
the env's bounds (said once in the log when the env's bounds differ and the key is off). Like Q-learning,
every ``collect_forward`` call adds ``len(obs)`` to the registered ``collect_envstep`` counter, which equals the
collector's envstep, so warm-up and epsilon schedules continue where a resumed run stopped. The target net
follows after every update (DI-engine's momentum target, ``learn.target_theta``), the actor every
``learn.actor_update_freq``-th update, counted by the registered ``learn_count``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config import ConfigError
from ding_lite.config.keys import Key
from ding_lite.config.rules import in_unit_interval, non_negative, one_of
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.model.common.encoder import obs_dims
from ding_lite.model.qac import KEYS as QAC_KEYS
from ding_lite.model.qac import ContinuousQAC
from ding_lite.policy.off_policy import OffPolicy
from ding_lite.rl_utils.ac_losses import critic_mse_loss
from ding_lite.torch_utils.target import TargetNetwork


class ActorCriticOff(OffPolicy):
    config: ClassVar[dict] = dict(
        discount_factor=Key(None, "not this family's key: DI-engine keeps gamma at learn.discount_factor",
                            lambda v: None if v is None else
                            "be left unset: this family reads policy.learn.discount_factor (DI-engine's key)"),
        random_collect_size=Key(25000, "the first N env steps act uniformly in [-1, 1], no training", non_negative),
        multi_agent=Key(False, "multi-agent variants are not in ding_lite (must be False)", one_of(False)),
        model=QAC_KEYS,
        learn=dict(
            update_per_collect=1,
            batch_size=256,
            discount_factor=Key(0.99, "gamma (DI-engine's key for this family)", in_unit_interval),
            target_theta=Key(0.005, "soft target update: target <- target + theta * (online - target), every update",
                             lambda v: None if 0 < v <= 1 else "be in (0, 1]"),
            actor_update_freq=Key(1, "the actor learns on every N-th update (TD3: 2)",
                                  lambda v: None if v >= 1 else "be >= 1 (the actor learns every N-th update)"),
        ),
        collect=dict(
            n_sample=1,
        ),
        command=Key({}, "DI-engine's command-mode section: nothing to configure (must be empty)",
                    lambda v: None if not v else "be empty: DI-engine's command mode is not in ding_lite"),
        other=dict(replay_buffer=dict(
            replay_buffer_size=100000,
        )),
    )
    discrete = False
    """Whether the policy acts on discrete actions (discrete SAC)."""

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.model = self.register("model", self.build_model().to(self.device))
        self.target = TargetNetwork(self.model, self.build_model().to(self.device), 0, cfg["learn"]["target_theta"])
        self.target_model = self.register("target_model", self.target.net)
        self.action_shape = cfg["model"]["action_shape"]
        self.register_counter("collect_envstep")  # env steps acted on in collect mode (== collector envstep)
        self.register_counter("learn_count")  # gradient updates made (drives the delayed actor)

    def build_model(self) -> torch.nn.Module:
        """Built twice (online, then target), so the initial weights follow the seed."""
        return ContinuousQAC(**self.cfg["model"])

    def bind_action_space(self, action_space: Any) -> None:
        super().bind_action_space(action_space)
        low, high = self.action_low, self.action_high
        if low is not None and not (np.all(low == -1) and np.all(high == 1)):
            self.notes.append(f"the {self.name} policy acts in [-1, 1], but the env's action bounds are "
                              f"[{low.min():g}, {high.max():g}]: set env.act_scale=True to scale its actions.")

    def check_spaces(self, obs_space: Any, act_space: Any, env_id: str) -> None:
        """Observation shape, action kind (pointing at the sibling algorithm) and action count."""
        model = self.cfg["model"]
        if tuple(obs_space.shape) != obs_dims(model["obs_shape"]):
            raise ConfigError(f"config key 'policy.model.obs_shape' is {model['obs_shape']}, "
                              f"but {env_id} observations have shape {obs_space.shape}.")
        discrete = hasattr(act_space, "n")
        if discrete != self.discrete:
            other = {"sac": "discrete_sac", "discrete_sac": "sac"}.get(self.name)
            hint = f": use policy.type '{other}'" if other else ""
            kind, env_kind = ("discrete", "continuous") if self.discrete else ("continuous", "discrete")
            raise ConfigError(f"config key 'policy.type' is '{self.name}', which needs {kind} actions, but "
                              f"{env_id}'s actions are {env_kind}{hint}.")
        n_actions = int(act_space.n) if discrete else int(act_space.shape[0])
        if model["action_shape"] != n_actions:
            raise ConfigError(f"config key 'policy.model.action_shape' is {model['action_shape']}, "
                              f"but {env_id} has {n_actions} {'actions' if discrete else 'action dimensions'}.")

    # ----------------------------------------------------------------- acting

    def random_actions(self, n: int) -> torch.Tensor:
        """Warm-up: uniform in [-1, 1] per dimension (discrete SAC: uniform over the actions)."""
        return self.rand((n, self.action_shape), self.collect_generator) * 2.0 - 1.0

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        n = obs.shape[0]
        warm = self.warming_up(self.collect_envstep)
        action = self.random_actions(n) if warm else self.explore(self.obs(obs))
        self.collect_envstep += n
        action_np = self.numpy(action)
        return {"action": action_np, "env_action": action_np}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        return self.numpy(self.greedy(self.obs(obs)))

    # ----------------------------------------------------------------- learning

    def train_batches(self, buffer: ReplayBuffer) -> Iterator[dict[str, torch.Tensor]]:
        """OffPolicy's sampling with this family's gamma key, ``learn.discount_factor``."""
        learn = self.cfg["learn"]
        for _ in range(learn["update_per_collect"]):
            batch = buffer.sample(learn["batch_size"], self.cfg["nstep"], learn["discount_factor"],
                                  self.learn_generator, learn["ignore_done"])
            if batch is None:  # max_use left fewer than a batch: this collect's updates end (as DI-engine's)
                return
            yield batch if self.device.type == "cpu" else {k: v.to(self.device) for k, v in batch.items()}

    def critic_step(self, q1: torch.Tensor, q2: torch.Tensor | None, target: torch.Tensor,
                    batch: dict[str, torch.Tensor]) -> dict[str, float]:
        """One critic update on ``(Q - target)^2`` (IS-weighted with ``priority_IS_weight``); feeds the mean
        |TD error| of the critics back as priorities (``priority``), as DI-engine's TD3/SAC do."""
        loss, per_sample, info = critic_mse_loss(q1, q2, target, self.loss_weight(batch))
        self.optimize(loss, self.critic_optimizer, None)
        self.update_priorities(batch, per_sample)
        return {"critic_loss": loss.item(), **{k: v.item() for k, v in info.items()}}

    @contextmanager
    def critic_frozen(self) -> Iterator[None]:
        """The actor's loss runs through the critics without computing their weights' gradients (which the
        critic optimizer would discard): the same actor gradients, ~15% less time per SAC update (measured)."""
        params = self.model.critic_parameters()
        for p in params:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p in params:
                p.requires_grad_(True)

    def actor_due(self) -> bool:
        """Whether this update (the ``learn_count + 1``-th) also trains the actor."""
        return (self.learn_count + 1) % self.cfg["learn"]["actor_update_freq"] == 0

    def after_update(self) -> None:
        self.learn_count += 1
        self.target.update(self.learn_count)
