"""Vector env managers with one autoreset contract for every backend.

Workers see *same-step* autoreset: when env i ends an episode, ``step`` returns the true last
observation in ``final_obs[i]`` and the first observation of the next episode in ``obs[i]``. No
transition ever spans an episode boundary and no final reward is lost, whatever the backend.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

MANAGER_TYPES = ("auto", "sync", "base", "async", "subprocess", "async_subprocess")
ASYNC_TYPES = ("async", "subprocess", "async_subprocess")


def default_config() -> dict:
    return dict(
        type=None,  # DI-engine env type from create_config (e.g. 'cartpole'), mapped to a gymnasium id
        import_names=[],  # modules imported so an unknown env type can register itself with gymnasium
        env_id=None,  # gymnasium id; wins over `type`; CartPole-v0 when neither is given
        collector_env_num=8,  # envs stepped together by the collector
        evaluator_env_num=5,  # separate envs used only for evaluation
        n_evaluator_episode=5,  # episodes per evaluation, spread over the evaluator envs
        stop_value=None,  # stop when the mean eval return reaches this (None: never)
        max_episode_steps=None,  # override the env's own time limit
        manager=dict(
            type="auto",  # sync/base (in-process), async/subprocess (one process per env), auto (fastest exact)
        ),
    )


def silence_env_warnings() -> None:
    """gymnasium warns about CartPole-v0 being old; users chose it on purpose (it is DI-engine's benchmark)."""
    warnings.filterwarnings("ignore", message=".*is out of date.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="gymnasium")


@dataclass
class StepResult:
    obs: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    final_obs: np.ndarray
    """The real last observation where an episode ended, else the same as ``obs``."""


class VectorEnvManager:
    """A gymnasium vector env in same-step autoreset mode, plus capture of its state for checkpoints."""

    def __init__(self, env_id: str, num_envs: int, seed: int, manager_type: str = "auto",
                 max_episode_steps: int | None = None) -> None:
        import gymnasium as gym
        from gymnasium.vector import AutoresetMode

        silence_env_warnings()
        self.env_id = env_id
        self.num_envs = num_envs
        self.seed = seed
        self.is_async = manager_type in ASYNC_TYPES
        mode = "async" if self.is_async else "sync"
        env_kwargs: dict[str, Any] = {}
        if max_episode_steps is not None:
            env_kwargs["max_episode_steps"] = max_episode_steps
        self._vec = gym.make_vec(
            env_id, num_envs=num_envs, vectorization_mode=mode,
            vector_kwargs=dict(autoreset_mode=AutoresetMode.SAME_STEP), **env_kwargs,
        )
        for i, env in enumerate(getattr(self._vec, "envs", [])):
            env.action_space.seed(seed + i)  # spaces draw from OS entropy unless seeded: keep checkpoints reproducible
            env.observation_space.seed(seed + i)
        self.observation_space = self._vec.single_observation_space
        self.action_space = self._vec.single_action_space

    def reset(self, seed_offset: int = 0) -> np.ndarray:
        """Seeds env i with seed + seed_offset + i, so runs are reproducible and envs differ."""
        base = self.seed + seed_offset
        obs, _ = self._vec.reset(seed=[base + i for i in range(self.num_envs)])
        return obs

    def reset_unseeded(self) -> np.ndarray:
        """Next episodes drawn from each env's own generator (continues its RNG stream)."""
        obs, _ = self._vec.reset()
        return obs

    def step(self, actions: np.ndarray) -> StepResult:
        obs, reward, terminated, truncated, info = self._vec.step(actions)
        final_obs = obs
        done_mask = info.get("_final_obs")
        if done_mask is not None and done_mask.any():
            final_obs = obs.copy()
            for i in np.flatnonzero(done_mask):
                final_obs[i] = info["final_obs"][i]
        return StepResult(obs, reward.astype(np.float32), terminated, truncated, final_obs)

    def can_capture(self) -> bool:
        from ding_lite.envs.env_state import can_capture

        return not self.is_async and all(can_capture(env) for env in self._vec.envs)

    def state_dict(self) -> dict | None:
        """Every sub-env's internal state, or None when the backend cannot expose it."""
        if not self.can_capture():
            return None
        from ding_lite.envs.env_state import capture_env_state

        return {"envs": [capture_env_state(env) for env in self._vec.envs]}

    def load_state_dict(self, state: dict) -> None:
        from ding_lite.envs.env_state import restore_env_state

        for env, env_state in zip(self._vec.envs, state["envs"], strict=True):
            restore_env_state(env, env_state)

    def close(self) -> None:
        self._vec.close()
