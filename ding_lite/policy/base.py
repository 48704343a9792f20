"""The Policy contract the workers rely on, with DI-engine's three modes (learn / collect / eval)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from ding_lite.config.compile import positive
from ding_lite.config.errors import ConfigError
from ding_lite.utils.checkpoint_io import CheckpointError


class Policy:
    """Subclasses own a model, an optimizer and their random generators; all of it is checkpointable.

    Collect mode: ``collect_forward`` acts on a batch of observations; ``process_rollout`` turns what the
    collector gathered into training data. Learn mode: ``train_batches`` yields minibatches and
    ``learn_step`` performs one gradient update. Eval mode: ``eval_forward`` acts greedily.
    """

    name = "base"
    shaping: tuple[str, ...] = ()
    """Config keys (relative to ``policy``) that shape this policy's saved state: a resume may not change them."""

    def __init__(self, cfg: dict, seed: int, action_space: Any = None) -> None:
        self.cfg = cfg
        self.collect_generator = torch.Generator().manual_seed(seed + 1)
        self.learn_generator = torch.Generator().manual_seed(seed + 2)
        self.notes: list[str] = []  # said once in the run's log when the run starts
        if action_space is not None and hasattr(action_space, "low"):
            self.set_action_bounds(action_space.low, action_space.high)

    @classmethod
    def shaping_keys(cls) -> tuple[str, ...]:
        return tuple(key for klass in reversed(cls.__mro__) for key in getattr(klass, "shaping", ()))

    def set_action_bounds(self, low: np.ndarray, high: np.ndarray) -> None:
        """Continuous policies clip env actions to these; discrete ones have none."""

    def check_spaces(self, obs_space: Any, act_space: Any, env_id: str) -> None:
        """The config's model shapes must match the env's spaces: one sentence naming the key otherwise."""
        model = self.cfg["model"]
        obs_shape = model["obs_shape"]
        expected = tuple(obs_shape) if isinstance(obs_shape, (list, tuple)) else (obs_shape,)
        if tuple(obs_space.shape) != expected:
            raise ConfigError(f"config key 'policy.model.obs_shape' is {obs_shape}, "
                              f"but {env_id} observations have shape {obs_space.shape}.")
        discrete = hasattr(act_space, "n")
        n_actions = int(act_space.n) if discrete else int(act_space.shape[0])
        kind = "discrete" if discrete else "continuous"
        if model["action_space"] != kind or self.cfg["action_space"] != kind:
            raise ConfigError(f"config key 'policy.model.action_space' must be '{kind}' for {env_id}.")
        if model["action_shape"] != n_actions:
            raise ConfigError(f"config key 'policy.model.action_shape' is {model['action_shape']}, "
                              f"but {env_id} has {n_actions} {'actions' if discrete else 'action dimensions'}.")

    def side_state(self) -> dict[str, Any]:
        """What is kept beside a checkpoint, by name (a replay buffer): objects with save/load/len/missing_note."""
        return {}

    def saves_side_state(self) -> bool:
        """Whether checkpoints write the side state now (the config decides: DQN's ``save_with_ckpt``)."""
        return False

    @staticmethod
    def default_config() -> dict:
        raise NotImplementedError

    @staticmethod
    def config_rules() -> dict:
        """Rules every policy shares; subclasses extend them with their own keys."""
        return {
            "policy.cuda": lambda v: "be False: this build of ding_lite trains on the CPU" if v else None,
            "policy.learn.batch_size": positive,
            "policy.learn.learning_rate": positive,
        }

    def collect_forward(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def process_rollout(self, rollout: dict[str, np.ndarray], last_obs: np.ndarray) -> Any:
        raise NotImplementedError

    def train_batches(self, data: Any) -> Iterator[Any]:
        raise NotImplementedError

    def learn_step(self, batch: Any) -> dict[str, float]:
        raise NotImplementedError

    def learn_modules(self) -> dict[str, Any]:
        """Everything with a state_dict that learning changes (models, optimizers, schedulers, normalisers)."""
        raise NotImplementedError

    def state_dict_learn(self) -> dict:
        state: dict[str, Any] = {name: module.state_dict() for name, module in self.learn_modules().items()}
        state["generators"] = {
            "collect": self.collect_generator.get_state(),
            "learn": self.learn_generator.get_state(),
        }
        return state

    def check_learn_state(self, state: dict, source: str) -> None:
        """Refuse a checkpoint whose tensors do not fit this policy, naming the parameter and both shapes."""
        for name, module in self.learn_modules().items():
            if not isinstance(module, torch.nn.Module):
                continue
            saved = state.get(name)
            if saved is None:
                raise CheckpointError(f"checkpoint '{source}' holds no '{name}' state for the {self.name} policy.")
            own = module.state_dict()
            missing = sorted(set(own) - set(saved))
            extra = sorted(set(saved) - set(own))
            if missing or extra:
                key = (missing or extra)[0]
                what = "lacks" if missing else "has an unexpected"
                raise CheckpointError(f"checkpoint '{source}' {what} parameter '{name}.{key}' for this model.")
            for key, tensor in own.items():
                if tuple(saved[key].shape) != tuple(tensor.shape):
                    raise CheckpointError(
                        f"checkpoint '{source}' parameter '{name}.{key}' has shape {tuple(saved[key].shape)}, "
                        f"but this model's is {tuple(tensor.shape)}."
                    )

    def load_state_dict_learn(self, state: dict, restore_rng: bool = True) -> None:
        """restore_rng=False keeps this run's own sampling streams (fine-tuning from another run's weights)."""
        for name, module in self.learn_modules().items():
            if name in state:
                module.load_state_dict(state[name])
        self.optimizer.lr = self.cfg["learn"]["learning_rate"]  # an edited learning rate wins on resume
        if restore_rng and "generators" in state:
            self.collect_generator.set_state(state["generators"]["collect"])
            self.learn_generator.set_state(state["generators"]["learn"])
