"""Off-policy PPO as DI-engine defines it: PPO's clipped losses over a FIFO of past collects.

Each collect is processed as in the on-policy family (GAE with the values and log-probs of the
policy that acted) and appended to a FIFO of ``other.replay_buffer.replay_buffer_size``
transitions; ``learn.update_per_collect`` minibatches of ``batch_size`` are then drawn uniformly
from the whole FIFO (without replacement within a minibatch); with DI-engine's
``other.replay_buffer.max_use`` a transition drawn that many times is no longer drawn, and a collect's
updates stop when fewer than a minibatch remain (as DI-engine's buffer). Older data are off-policy: the
clipped ratio against their own collect-time log-prob is what keeps the step safe. The FIFO is
part of the learn state (a CartPole FIFO of 5,000 transitions is ~0.2 MB), so resume is exact.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config.keys import IGNORED, LITE, Key, differs
from ding_lite.config.rules import all_of, of_type, positive
from ding_lite.policy.ppo import PPOPolicy


class RolloutFIFO:
    """The newest ``capacity`` processed transitions, as a ring of preallocated tensors."""

    def __init__(self, capacity: int, device: torch.device, max_use: int | None = None) -> None:
        self.capacity = capacity
        self.device = device
        self.data: dict[str, torch.Tensor] = {}
        self.size = 0
        self.next = 0  # ring slot of the next write
        self.max_use = max_use
        self.uses = torch.zeros(capacity, dtype=torch.int64) if max_use is not None else None  # draws per slot

    def push(self, batch: dict[str, torch.Tensor]) -> None:
        n = next(iter(batch.values())).shape[0]
        if not self.data:
            self.data = {k: v.new_empty((self.capacity, *v.shape[1:])) for k, v in batch.items()}
        keep = min(n, self.capacity)  # a collect larger than the FIFO keeps its newest part
        slots = (self.next + torch.arange(keep, device=self.device)) % self.capacity
        for key, value in batch.items():
            self.data[key].index_copy_(0, slots, value[n - keep:])
        if self.uses is not None:
            self.uses[slots.cpu()] = 0
        self.next = (self.next + keep) % self.capacity
        self.size = min(self.size + keep, self.capacity)

    def sample(self, batch_size: int, generator: torch.Generator) -> dict[str, torch.Tensor] | None:
        """A minibatch without replacement; None when max_use leaves fewer than ``batch_size`` transitions."""
        if self.uses is None:
            idx = torch.randperm(self.size, generator=generator)[:batch_size]
        else:
            usable = torch.nonzero(self.uses[:self.size] < self.max_use).flatten()
            if len(usable) < batch_size:
                return None
            idx = usable[torch.randperm(len(usable), generator=generator)[:batch_size]]
            self.uses[idx] += 1
        idx = idx.to(self.device)
        return {k: v.index_select(0, idx) for k, v in self.data.items()}

    def state_dict(self) -> dict:
        state = {"data": {k: v[:self.size].clone() for k, v in self.data.items()}, "size": self.size,
                 "next": self.next}
        if self.uses is not None:
            state["uses"] = self.uses[:self.size].clone()
        return state

    def load_state_dict(self, state: dict) -> None:
        self.size, self.next = int(state["size"]), int(state["next"])
        if self.uses is not None:
            self.uses.zero_()
            if "uses" in state:  # a checkpoint from before max_use was set counts every transition as undrawn
                self.uses[:self.size] = state["uses"]
        self.data = {}
        for key, value in state["data"].items():
            full = value.new_empty((self.capacity, *value.shape[1:]), device=self.device)
            full[:self.size] = value
            self.data[key] = full


class PPOOffPolicy(PPOPolicy):
    name = "ppo_offpolicy"
    config: ClassVar[dict] = dict(
        type="ppo_offpolicy",
        on_policy=Key(False, "trains on past collects too",
                      lambda v: None if v is False else "be False: ppo_offpolicy trains on past collects from its FIFO, "
                      "as DI-engine's does (on-policy PPO is policy.type 'ppo')"),
        obs_norm=Key(False, "must stay False: the FIFO keeps observations normalised with the statistics of their "
                     "own collect", lambda v: None if not v else
                     "be False: the FIFO keeps observations normalised with the statistics of their own collect",
                     di=LITE),
        recompute_adv=Key(False, "on-policy PPO's per-epoch targets: this policy samples minibatches instead",
                          lambda v: None if not v else "be False: off-policy PPO keeps each collect's advantages"),
        learn=dict(
            update_per_collect=Key(5, "minibatches (train_iters) drawn from the FIFO after each collect", positive),
            batch_size=64,
            learning_rate=0.001,
            entropy_weight=0.01,
            value_clip=True,
            adv_norm=False,
            value_norm=Key(False, "return normalisation is on-policy PPO's here",
                           lambda v: None if not v else "be False: return normalisation is on-policy PPO's here",
                           di=differs(True, "ding_lite's off-policy PPO learns raw returns (no return "
                                      "normalisation)")),
            lr_scheduler=Key(None, "the rate schedule is on-policy PPO's here",
                             lambda v: None if v is None else "be None: the rate schedule is on-policy PPO's here"),
            nstep=Key(None, "in DI-engine's LunarLander file; its off-policy PPO reads policy.nstep (and only with "
                      "policy.nstep_return)", di=IGNORED),
            nstep_return=Key(None, "a learn-level copy of policy.nstep_return, read by neither", di=IGNORED),
        ),
        collect=dict(
            n_sample=128,
            gae_lambda=0.95,
        ),
        other=dict(
            replay_buffer=dict(
                replay_buffer_size=Key(10000, "transitions the FIFO keeps", positive),
                max_use=Key(None, "a transition drawn this many times is no longer drawn; a collect's updates stop "
                            "when fewer than a minibatch remain", all_of(of_type(int), positive)),
                type=Key(None, "create_config: DI-engine's buffer class; this FIFO serves every type"),
            ),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        buffer = cfg["other"]["replay_buffer"]
        self.fifo = self.register("fifo", RolloutFIFO(buffer["replay_buffer_size"], self.device, buffer["max_use"]))

    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> RolloutFIFO:
        self.fifo.push(super().process_rollout(rollout, last_obs))
        return self.fifo

    def train_batches(self, fifo: RolloutFIFO) -> Iterator[dict[str, torch.Tensor]]:
        learn = self.cfg["learn"]
        for _ in range(learn["update_per_collect"]):
            batch = fifo.sample(learn["batch_size"], self.learn_generator)
            if batch is None:  # max_use left fewer than a minibatch: this collect's updates end
                return
            yield batch
