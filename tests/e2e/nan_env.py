"""CartPoles that go non-finite: the collector env seeded with 2 (env index 2 of a seed-0 run) returns NaN
in its reward (or Inf in its observation) from its 30th step on; every other env is an ordinary CartPole."""
from __future__ import annotations

import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleEnv

BAD_SEED, BAD_FROM_STEP = 2, 30


class _Faulty(CartPoleEnv):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.faulty, self.steps = False, 0

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self.faulty = seed == BAD_SEED
        return super().reset(seed=seed, options=options)

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        self.steps += 1
        if self.faulty and self.steps >= BAD_FROM_STEP:
            obs, reward = self.spoil(np.array(obs), float(reward))
        return obs, reward, terminated, truncated, info


class NanRewardCartPole(_Faulty):
    def spoil(self, obs, reward):
        return obs, float("nan")


class InfObsCartPole(_Faulty):
    def spoil(self, obs, reward):
        obs[1] = np.inf
        return obs, reward
