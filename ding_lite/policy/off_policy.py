"""What every off-policy algorithm shares: a replay buffer it owns, warm-up, and ``update_per_collect`` sampling.

``process_rollout`` pushes each collect into the buffer and hands the buffer to the learner once it
holds enough transitions; ``train_batches`` then samples ``update_per_collect`` minibatches from it with
the policy's learn generator. The buffer is the policy's side state (saved beside a checkpoint when
``other.replay_buffer.save_with_ckpt``). The Q-learning and off-policy actor-critic families build on it.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from ding_lite.config import ConfigError
from ding_lite.config.keys import LITE, Key
from ding_lite.config.rules import all_of, in_unit_interval, non_negative, of_type, one_of, positive
from ding_lite.data.prioritized import PrioritizedReplayBuffer
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.data.sampling import KINDS, Draws
from ding_lite.model.common.encoder import obs_dims
from ding_lite.policy.base import Policy
from ding_lite.policy.epsilon_greedy import DEMO_REFUSAL

SQIL_REFUSAL = ("be left out: it names the trained model of DI-engine's SQIL or demonstration-data entries "
                "(serial_pipeline_sqil, collect_demo_data), which ding_lite does not have")


class OffPolicy(Policy):
    config: ClassVar[dict] = dict(
        on_policy=Key(False, "learns from a replay buffer of past data",
                      lambda v: None if v is False else "be False: this policy type learns from a replay buffer of past "
                      "data, as DI-engine's does"),
        priority=Key(False, "prioritized replay: sample by |TD error|, priorities updated by every update"),
        priority_IS_weight=Key(False, "weight each sample's loss by its importance-sampling weight (needs priority)"),
        discount_factor=Key(0.97, "gamma", in_unit_interval),
        nstep=Key(1, "n of the n-step TD target (windows never cross an episode end)", positive),
        random_collect_size=Key(0, "the first N env steps act uniformly at random, no training", non_negative),
        learn=dict(
            update_per_collect=Key(3, "gradient updates (train_iters) after each collect", positive),
            batch_size=Key(64, "transitions per minibatch", positive),
            ignore_done=Key(False, "bootstrap through terminations too (n-step windows still stop there)"),
        ),
        collect=dict(
            n_sample=Key(8, "transitions per collect, over all collector envs (rounded up to a multiple)", positive),
            unroll_len=Key(1, "transitions are single steps here", one_of(1)),
            model_path=Key(None, "the model DI-engine's SQIL or data-generation entry loads: those entries are not in ding_lite",
                           lambda v: None if v is None else SQIL_REFUSAL),
            **{key: Key(None, "DI-engine's demonstration-data generation (collect_demo_data): not in ding_lite",
                        lambda v: None if v is None else DEMO_REFUSAL)
               for key in ("save_path", "data_type", "collect_count", "expert_data_path", "state_dict_path")},
        ),
        eval=dict(),
        other=dict(
            replay_buffer=dict(
                replay_buffer_size=Key(10000, "transitions kept (FIFO)", positive),
                replay_buffer_start_size=Key(0, "training starts once the buffer holds max(batch_size, this, "
                                             "random_collect_size)", non_negative),
                save_with_ckpt=Key(True, "checkpoints keep the buffer, written incrementally: a resume is exact "
                                   "(docs/replay_buffer.md)", di=LITE),
                alpha=Key(0.6, "priority only: how strongly priorities skew sampling (0: uniform)", non_negative),
                beta=Key(0.4, "priority only: importance-sampling exponent at the start, annealed to 1",
                         in_unit_interval),
                anneal_step=Key(100000, "priority only: samples over which beta reaches 1", non_negative),
                type=Key("advanced", "create_config: how a minibatch is drawn, as DI-engine's buffer classes do: "
                         "'advanced' stratified over the slots, 'naive'/'deque' uniform without replacement in a "
                         "batch; 'uniform' (ding_lite's own) independent uniform draws; with policy.priority, "
                         "stratified by priority", one_of(*KINDS)),
                max_use=Key(None, "a transition sampled this many times leaves the buffer; a collect's updates stop "
                            "when fewer than a batch remain", all_of(of_type(int), positive)),
                import_names=Key([], "create_config: modules DI-engine imports for the buffer type (ding_lite's "
                                 "buffer serves every type without an import)"),
            ),
        ),
    )

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        super().__init__(cfg, seed, action_space)
        buffer_cfg = cfg["other"]["replay_buffer"]
        if cfg["priority_IS_weight"] and not cfg["priority"]:
            raise ConfigError("config key 'policy.priority_IS_weight' is True, but importance-sampling weights "
                              "need prioritized replay: set policy.priority=True too.")
        if buffer_cfg["type"] == "naive" and cfg["priority"]:
            raise ConfigError("create_config replay_buffer type 'naive' cannot serve policy.priority=True: DI-engine's "
                              "naive buffer has no priorities (its updates are dropped); use type 'advanced'.")
        self.replay_buffer = self.make_replay_buffer()
        if buffer_cfg["type"] != "uniform" or buffer_cfg["max_use"] is not None:
            draws = Draws(buffer_cfg["type"], buffer_cfg["replay_buffer_size"], buffer_cfg["max_use"])
            self.replay_buffer.draws = draws
            if draws.uses is not None:  # use counts are run state: in every checkpoint with the buffer's
                self.register("replay_draws", draws)
        self.train_start = max(cfg["learn"]["batch_size"], buffer_cfg["replay_buffer_start_size"],
                               cfg["random_collect_size"])
        if buffer_cfg["replay_buffer_size"] < self.train_start:
            raise ConfigError(
                f"config key 'policy.other.replay_buffer.replay_buffer_size' is {buffer_cfg['replay_buffer_size']}, "
                f"but training starts only once the buffer holds {self.train_start} transitions (the largest of "
                f"learn.batch_size, replay_buffer_start_size and random_collect_size): it would never train.")

    def make_replay_buffer(self) -> ReplayBuffer:
        model, buffer_cfg = self.cfg["model"], self.cfg["other"]["replay_buffer"]
        discrete = model["action_space"] == "discrete"
        dims = obs_dims(model["obs_shape"])
        shapes = (buffer_cfg["replay_buffer_size"], dims, () if discrete else (model["action_shape"],),
                  np.int64 if discrete else np.float32, np.uint8 if len(dims) == 3 else np.float32)
        if not self.cfg["priority"]:
            return ReplayBuffer(*shapes)
        return PrioritizedReplayBuffer(*shapes, alpha=buffer_cfg["alpha"], beta=buffer_cfg["beta"],
                                       anneal_step=buffer_cfg["anneal_step"])

    def side_state(self) -> dict:
        return {"replay_buffer": self.replay_buffer}

    def saves_side_state(self) -> bool:
        return self.cfg["other"]["replay_buffer"]["save_with_ckpt"]

    def loss_weight(self, batch: dict[str, torch.Tensor]) -> torch.Tensor | None:
        """The importance-sampling weights when ``priority_IS_weight``, else None (an unweighted mean)."""
        return batch["weight"] if self.cfg["priority_IS_weight"] else None

    def update_priorities(self, batch: dict[str, torch.Tensor], per_sample_error: torch.Tensor) -> None:
        """Feed each sample's error back as its priority (prioritized replay only)."""
        if self.cfg["priority"]:
            self.replay_buffer.update_priorities(batch["numbers"].cpu().numpy(), self.numpy(per_sample_error))

    def warming_up(self, envstep: int) -> bool:
        """The first ``random_collect_size`` env steps act uniformly at random."""
        return envstep < self.cfg["random_collect_size"]

    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> ReplayBuffer | None:
        """Push the collect into the buffer; the buffer is the training data once it is large enough."""
        self.replay_buffer.push(rollout)
        return self.replay_buffer if len(self.replay_buffer) >= self.train_start else None

    def train_batches(self, buffer: ReplayBuffer) -> Iterator[dict[str, torch.Tensor]]:
        learn = self.cfg["learn"]
        for _ in range(learn["update_per_collect"]):
            batch = buffer.sample(learn["batch_size"], self.cfg["nstep"], self.cfg["discount_factor"],
                                  self.learn_generator, learn["ignore_done"])
            if batch is None:  # max_use left fewer than a batch: this collect's updates end (as DI-engine's)
                return
            yield batch if self.device.type == "cpu" else {k: v.to(self.device) for k, v in batch.items()}
