"""envpool's C++ env pool behind the protocol (``env_manager.type='env_pool'``, DI-engine's name).

envpool steps every env in its own threads and preprocesses Atari itself, with the same pipeline as
``ding_lite.envs.wrappers.atari_preset`` (no-op starts, 4-frame max-pool skip, fire on reset, 84x84 grayscale
with area resize, a 4-frame stack): collector envs add episodic life and reward clipping, evaluator envs do not.
Its Atari time limit counts agent steps (27,000 = 108,000 frames).

envpool resets an ended env on the *next* step, ignoring that step's action. Here an ended env is reset in the
same step instead, so workers keep the same-step contract: the true last observation in ``final_obs``, the next
episode's first in ``obs``, and no step lost to a reset. Mostly through ``reset(env_ids)``; but with episodic
life that would restart the whole game, where envpool's own reset after a lost life goes on with the same game
(as DI-engine's does). Such pools run with batch size 1: every step sends all envs' actions and gathers them one
by one, and the ended envs then take envpool's own reset step alone (measured on 8 envs: ~6% slower for Pong,
~18% for Hopper, against one batched step). envpool cannot be reseeded, so
a seeded ``reset`` opens a new pool with that seed (env i gets seed + i, as every backend does). The envs' state
lives in C++: it cannot be captured, so a resume starts new episodes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ding_lite.config.errors import ConfigError
from ding_lite.envs.managers.base import BackendUnavailable, EnvManager, StepResult, Uncapturable
from ding_lite.envs.registry import require

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions


class EnvPoolManager(Uncapturable, EnvManager):
    """``num_envs`` envpool envs in one synchronous batch (envpool's batch size = the number of envs)."""

    hidden_where = "in envpool's C++ threads"

    kind = "env_pool"
    choice = "env_pool (envpool's C++ threads; state not capturable)"

    def __init__(self, env_id: str, num_envs: int, seed: int, kwargs: dict[str, Any]) -> None:
        self.env_id, self.num_envs, self.seed = env_id, num_envs, seed
        self._kwargs = kwargs
        self._one_by_one = bool(kwargs.get("episodic_life"))
        self._ids = np.arange(num_envs, dtype=np.int32)
        self._pool_seed = seed
        self._pool = self._open(seed)
        self._fresh = True  # no reset since the pool opened: a seeded reset can use it as it is
        self.observation_space = self._pool.observation_space
        self.action_space = self._pool.action_space
        self.action_space.seed(seed)  # spaces draw from OS entropy unless seeded

    @classmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: EnvOptions | None = None) -> EnvPoolManager:
        if require_capture:
            raise BackendUnavailable("envpool's env state lives in C++ threads and cannot be captured")
        envpool = require("envpool", "config key 'env.manager.type' = 'env_pool'")
        kwargs: dict[str, Any] = {}
        atari = "stack_num" in envpool.make_spec(env_id).config._fields
        frame_stack = None if env_options is None else env_options.frame_stack
        if atari:
            train = env_options is None or env_options.train
            kwargs.update(episodic_life=train, reward_clip=train, stack_num=4 if frame_stack is None else frame_stack)
        elif frame_stack:
            raise ConfigError(f"config key 'env.frame_stack' is {frame_stack}, but envpool stacks frames only for "
                              f"Atari, not '{env_id}'; use env.manager.type 'auto'.")
        if max_episode_steps is not None:
            kwargs["max_episode_steps"] = max_episode_steps
        return cls(env_id, num_envs, seed, kwargs)

    def _open(self, seed: int) -> Any:
        import envpool

        return envpool.make(self.env_id, env_type="gymnasium", num_envs=self.num_envs,
                            batch_size=1 if self._one_by_one else self.num_envs, seed=seed, **self._kwargs)

    def _gather(self, n: int) -> tuple[np.ndarray, ...]:
        """(obs, reward, terminated, truncated) of ``n`` single-env results (batch size 1), in env-id order."""
        results = sorted((self._pool.recv() for _ in range(n)), key=lambda r: int(r[4]["env_id"][0]))
        return tuple(np.concatenate([r[k] for r in results]) for k in range(4))

    def reset(self, seed_offset: int = 0) -> np.ndarray:
        if not (self._fresh and self._pool_seed == self.seed + seed_offset):
            self._pool.close()
            self._pool_seed = self.seed + seed_offset
            self._pool = self._open(self._pool_seed)
        return self.reset_unseeded()

    def reset_unseeded(self) -> np.ndarray:
        self._fresh = False
        if self._one_by_one:
            self._pool.async_reset()
            return self._gather(self.num_envs)[0]
        obs, info = self._pool.reset()
        return obs[np.argsort(info["env_id"])]

    def step(self, actions: np.ndarray) -> StepResult:
        actions = np.asarray(actions)
        if self._one_by_one:
            self._pool.send(actions, self._ids)
            obs, reward, terminated, truncated = self._gather(self.num_envs)
        else:
            obs, reward, terminated, truncated, info = self._pool.step(actions)
            order = np.argsort(info["env_id"])
            obs, reward, terminated, truncated = obs[order], reward[order], terminated[order], truncated[order]
        reward = np.asarray(reward, dtype=np.float32)
        final_obs = obs
        done = np.flatnonzero(terminated | truncated)
        if done.size:
            final_obs, obs = obs, obs.copy()
            if self._one_by_one:  # envpool's own reset step (it ignores the action)
                self._pool.send(actions[done], self._ids[done])
                obs[done] = self._gather(done.size)[0]
            else:
                first, reset_info = self._pool.reset(done.astype(np.int32))
                obs[reset_info["env_id"]] = first
        return StepResult(obs, reward, terminated, truncated, final_obs)

    def close(self) -> None:
        self._pool.close()
