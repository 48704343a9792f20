"""DI-engine's action keys of the env section: ``act_scale`` and ``continuous``, as gymnasium wrappers.

- ``env.act_scale=True``: the policy acts in ``[-1, 1]`` and the env receives the action clipped to ``[-1, 1]``
  and mapped affinely onto its own bounds (DI-engine's ``affine_transform``). The wrapped env's action space is
  ``Box(-1, 1)``, so every policy sees the range it acts in. Spaces without finite bounds (and discrete ones)
  are left as they are, as DI-engine's envs ignore the key there.
- ``env.continuous=False`` on Pendulum: DI-engine's 11 discrete actions, action ``i`` meaning the torque
  ``2 * i / 10 - 1`` in ``[-1, 1]`` (then scaled by ``act_scale``, as DI-engine's env does). A value that names
  the kind of actions the env already has (and the default ``None``) changes nothing; any other is one clear
  error naming the key.

Both wrappers hold only arrays and spaces, so the env-state capture reads them like any other wrapper.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np

from ding_lite.config.errors import ConfigError

DISCRETE_PENDULUM_ACTIONS = 11
"""DI-engine's ``PendulumEnv(continuous=False)`` action count."""


class ActionScale(gym.ActionWrapper):
    """The policy's ``[-1, 1]`` actions clipped, then mapped onto the env's ``[low, high]``."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        space = env.action_space
        self.low = space.low.astype(np.float64)
        self.half_range = (space.high.astype(np.float64) - self.low) / 2.0
        self.action_space = gym.spaces.Box(-1.0, 1.0, space.shape, space.dtype)

    def action(self, action: np.ndarray) -> np.ndarray:
        unit = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        return (self.low + (unit + 1.0) * self.half_range).astype(self.env.action_space.dtype)


class DiscretizedPendulum(gym.ActionWrapper):
    """Action ``i`` of ``n`` is the value ``2 * i / (n - 1) - 1`` in every action dimension."""

    def __init__(self, env: gym.Env, n: int = DISCRETE_PENDULUM_ACTIONS) -> None:
        super().__init__(env)
        self.values = np.linspace(-1.0, 1.0, n).astype(env.action_space.dtype)
        self.action_space = gym.spaces.Discrete(n)

    def action(self, action: int | np.ndarray) -> np.ndarray:
        return np.full(self.env.action_space.shape, self.values[int(action)], dtype=self.values.dtype)


class ActionBins(gym.ActionWrapper):
    """DI-engine's ``action_bins_per_branch``: bin ``k`` of ``n`` in each dimension is ``2k / (n - 1) - 1``."""

    def __init__(self, env: gym.Env, n: int) -> None:
        super().__init__(env)
        self.values = np.linspace(-1.0, 1.0, n).astype(env.action_space.dtype)
        self.action_space = gym.spaces.MultiDiscrete([n] * env.action_space.shape[0])

    def action(self, action: np.ndarray) -> np.ndarray:
        return self.values[np.asarray(action, dtype=np.int64)]


class RewardFloor(gym.RewardWrapper):
    """DI-engine's BipedalWalker ``rew_clip``: a fall's -100 counts as -10 in training."""

    floor = -10.0

    def reward(self, reward: float) -> float:
        return max(self.floor, reward)


def clip_rewards(env: gym.Env) -> gym.Env:
    """``env.rew_clip`` is read by DI-engine's BipedalWalker env only; elsewhere it is one clear error."""
    if env.spec is None or env.spec.name != "BipedalWalker":
        name = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
        raise ConfigError(f"config key 'env.rew_clip' is DI-engine's BipedalWalker key, but the env is {name} "
                          "(leave the key out).")
    return RewardFloor(env)


def scales(space: gym.spaces.Space) -> bool:
    """Whether ``act_scale`` changes this space: finite bounds other than ``[-1, 1]``."""
    return (isinstance(space, gym.spaces.Box) and bool(np.all(np.isfinite(space.low)))
            and bool(np.all(np.isfinite(space.high))) and not (np.all(space.low == -1) and np.all(space.high == 1)))


def wrap_actions(env: gym.Env, act_scale: bool, continuous: bool | None, bins: int | None = None) -> gym.Env:
    """``env`` with DI-engine's ``act_scale``, ``continuous`` and ``action_bins_per_branch`` meanings applied
    (scaling innermost)."""
    if act_scale and scales(env.action_space):
        env = ActionScale(env)
    if bins:
        if not isinstance(env.action_space, gym.spaces.Box) or scales(env.action_space):
            name = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
            raise ConfigError(f"config key 'env.action_bins_per_branch' needs continuous actions in [-1, 1], but "
                              f"{name}'s are {env.action_space} (set env.act_scale=True or leave the key out).")
        return ActionBins(env, bins)
    is_box = isinstance(env.action_space, gym.spaces.Box)
    if continuous is None or continuous == is_box:  # the env already has the asked kind of actions
        return env
    name = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
    if continuous:
        raise ConfigError(f"config key 'env.continuous' is True, but {name}'s actions are discrete (leave the key out).")
    if env.spec is None or env.spec.name != "Pendulum":
        raise ConfigError(f"config key 'env.continuous' is False, but {name}'s actions are continuous and only "
                          "Pendulum has DI-engine's discretised actions (leave the key out).")
    return DiscretizedPendulum(env)
