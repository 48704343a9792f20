"""gymnasium backends: numpy-vectorised ('vector') and in-process ('sync'); one process per env is ``processes``.

- ``vector``: gymnasium's numpy-vectorised env (``make_vec(..., vectorization_mode="vector_entry_point")``),
  one array operation steps every env. Only for envs that provide one *and* whose autoreset can be
  made same-step: either the env declares ``AutoresetMode.SAME_STEP`` or ding_lite knows how to
  perform its NEXT_STEP reset early (``CartPoleVectorEnv``, see ``_cartpole_reset_done``).
- ``sync``: ``SyncVectorEnv`` over ``make_env`` for any gymnasium id, in this process.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from ding_lite.envs import state as env_state
from ding_lite.envs.make import env_fn, limit_kwargs
from ding_lite.envs.managers.base import BackendUnavailable, EnvManager, StepResult

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions


class GymVectorManager(EnvManager):
    """A gymnasium ``VectorEnv`` behind the protocol, as sync holds it: sub-env i seeded with
    seed + i, state captured sub-env by sub-env (``VectorManager`` overrides both)."""

    def __init__(self, vec: Any, env_id: str, num_envs: int, seed: int) -> None:
        self.vec = vec
        self.env_id = env_id
        self.num_envs = num_envs
        self.seed = seed
        self.observation_space = vec.single_observation_space
        self.action_space = vec.single_action_space

    def _reset_seed(self, base: int) -> Any:
        """Env i gets seed base + i."""
        return [base + i for i in range(self.num_envs)]

    def _captured_envs(self) -> list:
        return list(self.vec.envs)

    def reset(self, seed_offset: int = 0) -> np.ndarray:
        obs, _ = self.vec.reset(seed=self._reset_seed(self.seed + seed_offset))
        return obs

    def reset_unseeded(self) -> np.ndarray:
        obs, _ = self.vec.reset()
        return obs

    def step(self, actions: np.ndarray) -> StepResult:
        """gymnasium's SAME_STEP mode: the real last observations come in ``info['final_obs']``."""
        obs, reward, terminated, truncated, info = self.vec.step(actions)
        reward = np.asarray(reward, dtype=np.float32)
        final_obs = obs
        done_mask = info.get("_final_obs")
        if done_mask is not None and done_mask.any():
            final_obs = obs.copy()
            for i in np.flatnonzero(done_mask):
                final_obs[i] = info["final_obs"][i]
        return StepResult(obs, reward, terminated, truncated, final_obs)

    def render(self) -> Sequence[np.ndarray]:
        return self.vec.render()

    def can_capture(self) -> bool:
        return all(env_state.can_capture(env) for env in self._captured_envs())

    def state_dict(self) -> dict | None:
        try:
            return {"kind": self.kind, "envs": [env_state.capture(env) for env in self._captured_envs()]}
        except env_state.EnvStateUnsupported:
            return None

    def can_restore(self, state: dict | None) -> bool:
        if state is None:
            return False
        return state.get("kind", "sync") == self.kind and len(state["envs"]) == len(self._captured_envs())

    def _check_kind(self, state: dict) -> None:
        if state.get("kind", "sync") != self.kind:
            raise ValueError(f"env state was captured from the '{state.get('kind', 'sync')}' env manager, "
                             f"this one is '{self.kind}'")

    def load_state_dict(self, state: dict) -> None:
        self._check_kind(state)
        for env, saved in zip(self._captured_envs(), state["envs"], strict=True):
            env_state.restore(env, saved)

    def close(self) -> None:
        self.vec.close()


class SyncManager(GymVectorManager):
    """Any gymnasium id, its envs stepped one by one in this process."""

    kind = choice = "sync"

    @classmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: EnvOptions | None = None) -> SyncManager:
        vec = SyncVectorEnv([env_fn(env_id, max_episode_steps, env_options)] * num_envs, autoreset_mode=AutoresetMode.SAME_STEP)
        for i, env in enumerate(vec.envs):
            env.action_space.seed(seed + i)  # spaces draw from OS entropy unless seeded
            env.observation_space.seed(seed + i)
        return cls(vec, env_id, num_envs, seed)


def _cartpole_reset_done(env: Any) -> np.ndarray:
    """Perform now the reset that ``CartPoleVectorEnv.step`` would perform at the start of its next step.

    gymnasium's CartPoleVectorEnv (NEXT_STEP autoreset) remembers the envs that ended in ``prev_done``
    and, in its next ``step``, overwrites their state with ``np_random.uniform(low, high, size=(4, n))``,
    zeroes their step counters and returns that fresh state with reward 0 (the action is ignored).
    Doing exactly these writes right after the ending step gives the same draws from the same
    generator, and turns the env into a same-step one: the next ``step`` finds ``prev_done`` all False,
    so it applies the agent's action to the fresh state and draws nothing (a size-0 uniform does not
    advance the generator). Returns the observation after the resets.
    """
    done = env.prev_done
    env.state[:, done] = env.np_random.uniform(low=env.low, high=env.high, size=(4, int(done.sum())))
    env.steps[done] = 0
    env.prev_done = np.zeros(env.num_envs, dtype=np.bool_)
    return env.state.T.astype(np.float32)


SAME_STEP_ADAPTERS: dict[type, Callable[[Any], np.ndarray]] = {CartPoleVectorEnv: _cartpole_reset_done}
"""NEXT_STEP vectorised env class -> the function that resets its ended envs early (exact class match)."""


class VectorManager(GymVectorManager):
    """One numpy-vectorised env for all: one array operation per step, one generator for every reset."""

    kind = choice = "vector"

    def __init__(self, vec: Any, env_id: str, num_envs: int, seed: int,
                 same_step: Callable[[Any], np.ndarray] | None) -> None:
        super().__init__(vec, env_id, num_envs, seed)
        self._same_step = same_step

    @classmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: EnvOptions | None = None) -> VectorManager:
        if env_options is not None and env_options.wraps(env_id):
            raise BackendUnavailable(f"{env_id}'s envs need per-env wrappers (Atari preset or frame stack)")
        if gym.spec(env_id).vector_entry_point is None:
            raise BackendUnavailable(f"{env_id} has no numpy-vectorised env (no vector_entry_point)")
        try:
            render = {"render_mode": env_options.render_mode} if env_options and env_options.render_mode else {}
            vec = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode="vector_entry_point",
                               **limit_kwargs(max_episode_steps), **render)
        except Exception as exc:
            raise BackendUnavailable(
                f"{env_id} has no usable numpy-vectorised env ({type(exc).__name__}: {exc})") from exc
        same_step = None
        if vec.metadata.get("autoreset_mode") != AutoresetMode.SAME_STEP:
            same_step = SAME_STEP_ADAPTERS.get(type(vec))
            if same_step is None:
                vec.close()
                raise BackendUnavailable(f"{env_id}'s vectorised env {type(vec).__name__} has NEXT_STEP autoreset "
                                         "and ding_lite has no same-step adapter for it")
        if require_capture and not env_state.can_capture(vec):
            vec.close()
            raise BackendUnavailable(f"the state of {env_id}'s vectorised env cannot be captured for checkpoints")
        for space in (vec.action_space, vec.single_action_space, vec.observation_space, vec.single_observation_space):
            space.seed(seed)  # spaces draw from OS entropy unless seeded: keep checkpoints reproducible
        return cls(vec, env_id, num_envs, seed, same_step)

    def _reset_seed(self, base: int) -> Any:
        """The one vectorised env's generator gets seed base."""
        return base

    def _captured_envs(self) -> list:
        return [self.vec]

    def step(self, actions: np.ndarray) -> StepResult:
        if self._same_step is None:
            return super().step(actions)
        obs, reward, terminated, truncated, _ = self.vec.step(actions)
        reward = np.asarray(reward, dtype=np.float32)
        if terminated.any() or truncated.any():
            return StepResult(self._same_step(self.vec), reward, terminated, truncated, obs)
        return StepResult(obs, reward, terminated, truncated, obs)
