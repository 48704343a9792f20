"""PPG (phasic policy gradient, Cobbe et al., 2020) as DI-engine's ``ppg_offpolicy`` trains it.

Each collect is processed as in the on-policy family (GAE over the separate value network), then
kept in two buffers cleared after its updates: ``other.replay_buffer.policy`` and ``.value`` keep
the newest ``replay_buffer_size`` transitions of it. Every train_iter (``learn.update_per_collect``
per collect) draws one minibatch from each: the *policy phase* takes a PPO clipped step on the
actor and a clipped value step on the value network. The value minibatches are remembered; every
``learn.aux_freq`` train_iters the *auxiliary phase* makes ``aux_train_epoch`` passes over them,
training the VAC's auxiliary value head through the policy's features while a KL term
(``aux_bc_weight``) holds the policy to what it was before the phase, plus extra value-network steps.

Differences from DI-engine, on purpose: advantages come from the value network (the paper's; DI-engine
reads the auxiliary head at collect time), and the behaviour-cloning term is the full categorical or
Gaussian KL (DI-engine applies ``F.kl_div`` to the taken actions' log-probs). ``max_use`` never binds
because both buffers are cleared after each collect's updates (DI-engine's cartpole file: 5 draws of
64 from at most 128).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import IGNORED, Key
from ding_lite.config.rules import non_negative, one_of, positive
from ding_lite.model.ppg import PPGModel
from ding_lite.policy.on_policy import OnPolicy
from ding_lite.rl_utils import categorical_kl, diag_gaussian_kl, ppo_policy_loss, ppo_value_loss

AUX_KEYS = ("aux_value_loss", "behavioral_cloning_loss", "aux_phase_value_loss")


def _buffer(size: int) -> dict:
    return dict(
        type=Key("advanced", "DI-engine's buffer type: both kinds behave alike here (cleared after each collect)",
                 one_of("naive", "advanced")),
        replay_buffer_size=Key(size, "the newest transitions of each collect kept for the draws", positive),
        max_use=Key(10, "never binds here (see the module doc)", positive),
    )


class AuxMemory:
    """The value minibatches since the last auxiliary phase, and what that phase last reported."""

    def __init__(self, device: torch.device) -> None:
        self.device = device  # a checkpoint holds CPU tensors; training continues on the policy's device
        self.batches: list[dict[str, torch.Tensor]] = []
        self.last_info = dict.fromkeys(AUX_KEYS, 0.0)

    def state_dict(self) -> dict:
        return {"batches": [dict(b) for b in self.batches], "last_info": dict(self.last_info)}

    def load_state_dict(self, state: dict) -> None:
        self.batches = [{k: v.to(self.device) for k, v in b.items()} for b in state["batches"]]
        self.last_info = {k: float(v) for k, v in state["last_info"].items()}


class PPGOffPolicy(OnPolicy):
    name = "ppg_offpolicy"
    config: ClassVar[dict] = dict(
        type="ppg_offpolicy",
        on_policy=Key(False, "the two buffers hold one collect, reused by several draws",
                      lambda v: None if v is False else "be False: ppg_offpolicy draws from its two buffers, as "
                      "DI-engine's does"),
        model=dict(actor_head_layer_num=2),  # DI-engine's PPG model
        learn=dict(
            update_per_collect=Key(5, "train_iters (policy-phase steps) per collect", positive),
            batch_size=64,
            learning_rate=0.001,
            value_weight=Key(0.5, "weight of the policy phase's value loss", non_negative),
            entropy_weight=Key(0.01, "weight of the entropy bonus", non_negative),
            clip_ratio=Key(0.2, "PPO's ratio clip; also clips the value updates", positive),
            adv_norm=Key(False, "standardise each policy minibatch's advantages"),
            aux_freq=Key(5, "an auxiliary phase every this many train_iters", positive),
            aux_train_epoch=Key(6, "passes over the remembered value minibatches in an auxiliary phase", non_negative),
            aux_bc_weight=Key(1.0, "weight of the KL that holds the policy during the auxiliary phase", non_negative),
            epochs_aux=Key(None, "DI-engine's Atari PPG files set it; its PPG reads aux_train_epoch instead",
                           di=IGNORED),
            beta_weight=Key(None, "DI-engine's Atari PPG files set it; its PPG reads aux_bc_weight instead",
                            di=IGNORED),
        ),
        collect=dict(
            n_sample=Key(128, "transitions per collect, over all collector envs", positive),
            discount_factor=0.99,
            gae_lambda=Key(0.95, "GAE's lambda"),
        ),
        other=dict(replay_buffer=dict(
            multi_buffer=Key(True, "PPG always keeps a policy and a value buffer", one_of(True)),
            policy=_buffer(1000),
            value=_buffer(1000),
        )),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        self.aux_optimizer = self.make_optimizer("aux_optimizer", self.model.aux_head_parameters())
        self.value_optimizer = self.make_optimizer("value_optimizer", self.model.value_parameters())
        self.aux_memory = self.register("aux_memory", AuxMemory(self.device))
        self.register_counter("ppg_iteration")

    def build_model(self) -> PPGModel:
        return PPGModel(**self.cfg["model"])

    def optimized_parameters(self) -> list[torch.nn.Parameter]:
        return self.model.actor_parameters()

    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> dict[str, dict]:
        data = super().process_rollout(rollout, last_obs)
        keep = {b: self.cfg["other"]["replay_buffer"][b]["replay_buffer_size"] for b in ("policy", "value")}
        return {b: {k: v[-keep[b]:] for k, v in data.items()} for b in keep}

    def train_batches(self, data: dict[str, dict]) -> Iterator[dict[str, dict]]:
        batch = self.cfg["learn"]["batch_size"]
        for _ in range(self.cfg["learn"]["update_per_collect"]):
            draw = {}
            for name, part in data.items():
                size = next(iter(part.values())).shape[0]
                idx = torch.randperm(size, generator=self.learn_generator)[:batch].to(self.device)
                draw[name] = {k: v.index_select(0, idx) for k, v in part.items()}
            yield draw

    # ----------------------------------------------------------------- phases

    def _kl(self, old: Any, new: Any) -> torch.Tensor:
        return diag_gaussian_kl(*old, *new) if self.continuous else categorical_kl(old, new)

    def _value_step(self, obs: torch.Tensor, old: torch.Tensor, ret: torch.Tensor, weight: float) -> float:
        loss = weight * ppo_value_loss(self.model.value(obs), old, ret, self.cfg["learn"]["clip_ratio"])
        self.optimize(loss, self.value_optimizer, None)
        return loss.item()

    def _aux_phase(self) -> None:
        learn = self.cfg["learn"]
        mem = {k: torch.cat([b[k] for b in self.aux_memory.batches]) for k in self.aux_memory.batches[0]}
        with torch.no_grad():
            old_out = self.model.actor(mem["obs"])
        old_out = old_out if self.continuous else (old_out,)
        size, sums, count = mem["obs"].shape[0], dict.fromkeys(AUX_KEYS, 0.0), 0
        for _ in range(learn["aux_train_epoch"]):
            order = torch.randperm(size, generator=self.learn_generator).to(self.device)
            for start in range(0, size, learn["batch_size"]):
                idx = order[start:start + learn["batch_size"]]
                obs, old_value, ret = mem["obs"][idx], mem["value"][idx], mem["ret"][idx]
                out, aux_value = self.model.aux_value(obs)
                aux_loss = ppo_value_loss(aux_value, old_value, ret, learn["clip_ratio"])
                old = tuple(o[idx] for o in old_out)
                bc_loss = self._kl(old if self.continuous else old[0], out)
                joint = aux_loss + learn["aux_bc_weight"] * bc_loss
                self.optimizer.zero_grad()
                self.aux_optimizer.zero_grad()
                joint.backward()
                self.optimizer.step()
                self.aux_optimizer.step()
                sums["aux_value_loss"] += aux_loss.item()
                sums["behavioral_cloning_loss"] += bc_loss.item()
                sums["aux_phase_value_loss"] += self._value_step(obs, old_value, ret, 1.0)
                count += 1
        self.aux_memory.batches = []
        self.aux_memory.last_info = {k: v / max(count, 1) for k, v in sums.items()}

    def learn_step(self, batch: dict[str, dict]) -> dict[str, float]:
        learn = self.cfg["learn"]
        pol, val = batch["policy"], batch["value"]
        logp, entropy = self.log_prob_entropy(self.model.actor(pol["obs"]), pol["action"])
        adv = pol["adv"]
        if learn["adv_norm"] and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy_loss, info = ppo_policy_loss(logp, pol["logp"], adv, learn["clip_ratio"])
        entropy_mean = entropy.mean()
        self.optimize(policy_loss - learn["entropy_weight"] * entropy_mean, self.optimizer, None)
        ret = val["value"] + val["adv"]
        value_loss = self._value_step(val["obs"], val["value"], ret, learn["value_weight"])
        self.aux_memory.batches.append({"obs": val["obs"], "value": val["value"], "ret": ret})
        self.ppg_iteration += 1
        if self.ppg_iteration % learn["aux_freq"] == 0:
            self._aux_phase()
        return {
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss,
            "entropy": entropy_mean.item(),
            "approx_kl": info["approx_kl"].item(),
            "clipfrac": info["clipfrac"].item(),
            "cur_lr": self.optimizer.lr,
            **self.aux_memory.last_info,
        }
