"""Branching dueling Q-network (BDQ; Tavakoli et al., 2018) on the Q-learning family, as DI-engine 0.5.3's ``bdq``.

Each of ``model.num_branches`` action dimensions picks one of ``model.action_bins_per_branch`` bins; the branches
share the encoder and a state value. The TD target is per branch (online greedy bin, target net's value: double-Q)
and the loss is the squared error averaged over branches (DI-engine's ``bdq_nstep_td_error``). The env needs
discrete bins: ``env.action_bins_per_branch`` turns a continuous env's actions into bins (``2k/(bins-1) - 1``) and
Pendulum's ``env.continuous=False`` gives its 11 (one branch).
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config import ConfigError
from ding_lite.config.keys import Key
from ding_lite.config.rules import of_type, positive
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.model.common.encoder import obs_dims
from ding_lite.model.q_network import BranchingQNetwork
from ding_lite.policy.q_learning import QLearning
from ding_lite.rl_utils.td import td_target


class BDQPolicy(QLearning):
    name = "bdq"
    config: ClassVar[dict] = dict(
        type="bdq",
        model=dict(
            num_branches=Key(1, "action dimensions, each choosing one bin", positive),
            action_bins_per_branch=Key(2, "bins per action dimension", lambda v: None if v >= 2 else "be at least 2"),
            layer_num=Key(3, "hidden layers of the value stream and of each branch", positive),
            a_layer_num=Key(None, "hidden layers of each branch (None: layer_num)", of_type(int)),
            v_layer_num=Key(None, "hidden layers of the value stream (None: layer_num)", of_type(int)),
        ),
    )
    MODEL_KEYS = ("obs_shape", "num_branches", "action_bins_per_branch", "layer_num", "a_layer_num", "v_layer_num",
                  "encoder_hidden_size_list", "head_hidden_size")

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.branches, self.bins = cfg["model"]["num_branches"], cfg["model"]["action_bins_per_branch"]
        self.env_discrete = hasattr(action_space, "n")  # Pendulum's 11 actions: one branch, plain ints to the env

    def build_model(self) -> torch.nn.Module:
        return BranchingQNetwork(**{k: self.cfg["model"][k] for k in self.MODEL_KEYS})

    def make_replay_buffer(self) -> ReplayBuffer:
        """Actions are ``[num_branches]`` bin indices."""
        model, buffer_cfg = self.cfg["model"], self.cfg["other"]["replay_buffer"]
        dims = obs_dims(model["obs_shape"])
        shapes = (buffer_cfg["replay_buffer_size"], dims, (model["num_branches"],), np.int64,
                  np.uint8 if len(dims) == 3 else np.float32)
        if not self.cfg["priority"]:
            return ReplayBuffer(*shapes)
        from ding_lite.data.prioritized import PrioritizedReplayBuffer

        return PrioritizedReplayBuffer(*shapes, alpha=buffer_cfg["alpha"], beta=buffer_cfg["beta"],
                                       anneal_step=buffer_cfg["anneal_step"])

    def check_spaces(self, obs_space: Any, act_space: Any, env_id: str) -> None:
        model = self.cfg["model"]
        if tuple(obs_space.shape) != obs_dims(model["obs_shape"]):
            raise ConfigError(f"config key 'policy.model.obs_shape' is {model['obs_shape']}, "
                              f"but {env_id} observations have shape {obs_space.shape}.")
        nvec = [int(act_space.n)] if hasattr(act_space, "n") else [int(n) for n in getattr(act_space, "nvec", [])]
        if not nvec:
            raise ConfigError(f"policy.type 'bdq' needs discrete action bins, but {env_id}'s actions are continuous: "
                              "set env.action_bins_per_branch (or env.continuous=False on Pendulum).")
        if nvec != [model["action_bins_per_branch"]] * model["num_branches"]:
            raise ConfigError(f"config keys 'policy.model.num_branches' and 'action_bins_per_branch' give "
                              f"{model['num_branches']} x {model['action_bins_per_branch']} bins, but {env_id}'s "
                              f"actions are {len(nvec)} x {nvec[0]}.")
        self.env_discrete = hasattr(act_space, "n")

    @torch.no_grad()
    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """Epsilon-greedy per env: a uniform bin in every branch, else each branch's greedy bin."""
        n = obs.shape[0]
        eps = self.epsilon()
        u = self.rand((n, 1), self.collect_generator)
        random_action = self.randint(self.bins, (n, self.branches), self.collect_generator)
        if eps >= 1.0:
            action = random_action
        else:
            action = torch.where(u < eps, random_action, self.model.q_values(self.obs(obs)).argmax(-1))
        self.collect_envstep += n
        action_np = self.numpy(action)
        return {"action": action_np, "env_action": action_np[:, 0] if self.env_discrete else action_np}

    @torch.no_grad()
    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        action = self.numpy(self.model.q_values(self.obs(obs)).argmax(-1))
        return action[:, 0] if self.env_discrete else action

    def learn_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        size = batch["obs"].shape[0]
        both = self.model.q_values(torch.cat([batch["obs"], batch["bootstrap_obs"]]))
        q, next_online = both[:size], both[size:].detach()
        with torch.no_grad():
            next_target = self.target_model.q_values(batch["bootstrap_obs"])
            next_value = next_target.gather(-1, next_online.argmax(-1, keepdim=True)).squeeze(-1)  # [B, branches]
            target = td_target(batch["returns"].unsqueeze(1), batch["discount"].unsqueeze(1), next_value)
        q_taken = q.gather(-1, batch["action"].long().unsqueeze(-1)).squeeze(-1)
        per_sample = (q_taken - target).pow(2).mean(-1)
        weight = self.loss_weight(batch)
        loss = per_sample.mean() if weight is None else (per_sample * weight).mean()
        info = self.finish_update(loss, batch, per_sample.detach())
        per_branch = q.detach().mean(2).mean(0)
        return {"total_loss": loss.item(), "q_value": q_taken.detach().mean().item(),
                "target_q_value": target.mean().item(), "epsilon": self.epsilon(), "cur_lr": self.optimizer.lr,
                **{f"q_value_b_{i}": v.item() for i, v in enumerate(per_branch)}, **info}
