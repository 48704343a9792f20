"""DQN: target network (hard or soft), double-Q, n-step returns, epsilon-greedy, uniform replay.

The policy owns its replay buffer (``self.replay_buffer``): ``process_rollout`` pushes each collect
into it and hands the buffer to the learner once it holds enough transitions; ``train_batches``
then samples ``update_per_collect`` minibatches from it with the policy's learn generator.

Exploration follows the collector's env step without knowing about the collector: every
``collect_forward`` call adds ``len(obs)`` to ``self.collect_envstep``, which equals the
collector's envstep (one call per vector step over all collector envs) and is checkpointed in
``state_dict_learn()['counters']``, so a resumed run continues the epsilon schedule where it was.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from ding_lite.config import ConfigError
from ding_lite.config.compile import in_unit_interval, non_negative, one_of, positive
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.model.adam import Adam, clip_grad_norm_
from ding_lite.model.q_network import QNetwork
from ding_lite.model.q_network import default_config as model_default_config
from ding_lite.policy.base import Policy
from ding_lite.rl_utils.exploration import EPS_TYPES, get_epsilon_greedy_fn
from ding_lite.rl_utils.td import greedy_target_value, td_target


class DQNPolicy(Policy):
    name = "dqn"

    @staticmethod
    def default_config() -> dict:
        return dict(
            type="dqn",  # policy name in the registry
            cuda=False,  # ding_lite trains on the CPU; True is refused rather than ignored
            on_policy=False,  # DQN learns from a replay buffer of past data
            priority=False,  # DI-engine key: prioritized replay is not implemented here (must be False)
            priority_IS_weight=False,  # DI-engine key: importance-sampling weights (must be False)
            action_space="discrete",  # Q-learning over discrete actions only
            discount_factor=0.97,  # gamma
            nstep=1,  # n of the n-step TD target (windows never cross an episode end)
            random_collect_size=0,  # DI-engine: the first N env steps act uniformly at random, no training
            model=model_default_config(),
            learn=dict(
                update_per_collect=3,  # gradient updates (train_iters) after each collect
                batch_size=64,  # transitions per minibatch
                learning_rate=0.001,  # Adam step size
                target_update_freq=100,  # hard copy into the target net every N train_iters (0: soft updates)
                target_theta=0.005,  # soft update rate, used only when target_update_freq is 0
                double_q=True,  # online net picks the bootstrap action, target net values it (DI-engine's DQN)
                ignore_done=False,  # DI-engine: bootstrap through terminations too (windows still stop there)
                grad_clip_value=0.0,  # max global gradient norm (0 disables clipping)
            ),
            collect=dict(
                n_sample=8,  # transitions per collect, over all collector envs (rounded up to a multiple)
                unroll_len=1,  # DI-engine key; transitions are single steps here
            ),
            eval=dict(),
            other=dict(
                eps=dict(
                    type="exp",  # 'exp': end + (start-end)*exp(-envstep/decay); 'linear': reaches end at decay
                    start=0.95,  # epsilon at envstep 0
                    end=0.1,  # final epsilon
                    decay=10000,  # env steps scale of the decay
                ),
                replay_buffer=dict(
                    replay_buffer_size=10000,  # transitions kept (FIFO)
                    # training starts once the buffer holds max(batch_size, this, random_collect_size)
                    replay_buffer_start_size=0,
                    save_with_ckpt=False,  # write the buffer beside each checkpoint (resume is then exact)
                ),
            ),
        )

    @staticmethod
    def config_rules() -> dict:
        return {
            **Policy.config_rules(),
            "policy.priority": lambda v: "be False: prioritized replay is not implemented" if v else None,
            "policy.priority_IS_weight": lambda v: "be False: prioritized replay is not implemented" if v else None,
            "policy.action_space": one_of("discrete"),
            "policy.model.action_space": one_of("discrete"),
            "policy.discount_factor": in_unit_interval,
            "policy.nstep": positive,
            "policy.random_collect_size": non_negative,
            "policy.learn.update_per_collect": positive,
            "policy.learn.target_update_freq": non_negative,
            "policy.learn.target_theta": lambda v: None if 0 < v <= 1 else "be in (0, 1]",
            "policy.learn.grad_clip_value": non_negative,
            "policy.collect.n_sample": positive,
            "policy.collect.unroll_len": one_of(1),
            "policy.other.eps.type": one_of(*EPS_TYPES),
            "policy.other.eps.start": in_unit_interval,
            "policy.other.eps.end": in_unit_interval,
            "policy.other.eps.decay": positive,
            "policy.other.replay_buffer.replay_buffer_size": positive,
            "policy.other.replay_buffer.replay_buffer_start_size": non_negative,
        }

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        model_cfg = cfg["model"]
        self.model = QNetwork(**model_cfg)
        self.target_model = QNetwork(**model_cfg)
        self.target_model.load_state_dict(self.model.state_dict())
        self.target_model.requires_grad_(False)
        learn, other = cfg["learn"], cfg["other"]
        self._params = list(self.model.parameters())
        self._target_params = list(self.target_model.parameters())
        self.optimizer = Adam(self._params, lr=learn["learning_rate"])
        eps = other["eps"]
        self.eps_fn = get_epsilon_greedy_fn(eps["start"], eps["end"], eps["decay"], eps["type"])
        buffer_cfg = other["replay_buffer"]
        self.replay_buffer = ReplayBuffer(buffer_cfg["replay_buffer_size"], (model_cfg["obs_shape"],))
        self.train_start = max(learn["batch_size"], buffer_cfg["replay_buffer_start_size"], cfg["random_collect_size"])
        if buffer_cfg["replay_buffer_size"] < self.train_start:
            raise ConfigError(
                f"config key 'policy.other.replay_buffer.replay_buffer_size' is {buffer_cfg['replay_buffer_size']}, "
                f"but training starts only once the buffer holds {self.train_start} transitions (the largest of "
                f"learn.batch_size, replay_buffer_start_size and random_collect_size): it would never train.")
        self.action_shape = model_cfg["action_shape"]
        self.collect_envstep = 0  # env steps acted on in collect mode (== collector envstep)
        self.learn_count = 0  # gradient updates made by this policy (drives hard target updates)

    def learn_modules(self) -> dict:
        return {"model": self.model, "target_model": self.target_model, "optimizer": self.optimizer}

    def side_state(self) -> dict:
        return {"replay_buffer": self.replay_buffer}

    def saves_side_state(self) -> bool:
        return self.cfg["other"]["replay_buffer"]["save_with_ckpt"]

    def state_dict_learn(self) -> dict:
        state = super().state_dict_learn()
        state["counters"] = {"collect_envstep": self.collect_envstep, "learn_count": self.learn_count}
        return state

    def load_state_dict_learn(self, state: dict, restore_rng: bool = True) -> None:
        """Counters come back only when resuming (restore_rng): fine-tuning restarts the schedule with envstep 0."""
        super().load_state_dict_learn(state, restore_rng)
        if restore_rng and "counters" in state:
            self.collect_envstep = int(state["counters"]["collect_envstep"])
            self.learn_count = int(state["counters"]["learn_count"])

    def epsilon(self) -> float:
        if self.collect_envstep < self.cfg["random_collect_size"]:
            return 1.0
        return self.eps_fn(self.collect_envstep)

    # ----------------------------------------------------------------- collect / eval

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """Epsilon-greedy over the batch; draws the same random numbers whatever epsilon is."""
        n = obs.shape[0]
        eps = self.epsilon()
        u = torch.rand(n, generator=self.collect_generator)
        random_action = torch.randint(self.action_shape, (n,), generator=self.collect_generator)
        if eps >= 1.0:
            action = random_action
        else:
            greedy = self.model(torch.from_numpy(obs)).argmax(-1)
            action = torch.where(u < eps, random_action, greedy)
        self.collect_envstep += n
        action_np = action.numpy()
        return {"action": action_np, "env_action": action_np}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        return self.model(torch.from_numpy(obs)).argmax(-1).numpy()

    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> ReplayBuffer | None:
        """Push the collect into the buffer; the buffer is the training data once it is large enough."""
        self.replay_buffer.push(rollout)
        return self.replay_buffer if len(self.replay_buffer) >= self.train_start else None

    # ----------------------------------------------------------------- learn

    def train_batches(self, buffer: ReplayBuffer) -> Iterator[dict[str, torch.Tensor]]:
        learn = self.cfg["learn"]
        for _ in range(learn["update_per_collect"]):
            yield buffer.sample(learn["batch_size"], self.cfg["nstep"], self.cfg["discount_factor"],
                                self.learn_generator, learn["ignore_done"])

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        learn = self.cfg["learn"]
        size = batch["obs"].shape[0]
        if learn["double_q"]:
            q_all = self.model(torch.cat([batch["obs"], batch["bootstrap_obs"]]))
            q, next_online = q_all[:size], q_all[size:].detach()
        else:
            q, next_online = self.model(batch["obs"]), None
        with torch.no_grad():
            next_value = greedy_target_value(self.target_model(batch["bootstrap_obs"]), next_online)
            target = td_target(batch["returns"], batch["discount"], next_value)
        q_taken = q.gather(1, batch["action"].long().unsqueeze(1)).squeeze(1)
        loss = (q_taken - target).pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        info = {}
        if learn["grad_clip_value"]:
            info["grad_norm"] = clip_grad_norm_(self._params, learn["grad_clip_value"]).item()
        self.optimizer.step()
        self.learn_count += 1
        self._update_target()
        return {
            "total_loss": loss.item(),
            "q_value": q_taken.detach().mean().item(),
            "target_q_value": target.mean().item(),
            "epsilon": self.epsilon(),
            "cur_lr": self.optimizer.lr,
            **info,
        }

    @torch.no_grad()
    def _update_target(self) -> None:
        freq = self.cfg["learn"]["target_update_freq"]
        if freq:
            if self.learn_count % freq == 0:
                torch._foreach_copy_(self._target_params, self._params)
        else:
            torch._foreach_lerp_(self._target_params, self._params, self.cfg["learn"]["target_theta"])
