"""DI-engine's toy-text envs as its dizoo env classes present them: Taxi's 34-value encoding, FrozenLake's one-hot
state and map keys (``env.desc``, ``map_name``, ``is_slippery``), and its BitFlip env (``env.n_bits``).

DI-engine's FrozenLake one-hot is ``eye(16)[state - 1]`` (state 0 lands on the last row, an off-by-one in its env);
here state ``s`` is row ``s``, the same information. BitFlip's episode ends after ``n_bits`` flips: a time limit,
so it is a truncation here (DI-engine marks it done).
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

LAKE_KEYS = ("desc", "map_name", "is_slippery")


class TaxiEncoding(gym.ObservationWrapper):
    """Taxi's state number as DI-engine's 34 values: one-hot taxi square (25), passenger location (5), destination (4)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (34,), np.float32)

    def observation(self, observation: int) -> np.ndarray:
        row, col, passenger, destination = self.env.unwrapped.decode(int(observation))
        out = np.zeros(34, np.float32)
        out[[5 * row + col, 25 + passenger, 30 + destination]] = 1.0
        return out


class OneHot(gym.ObservationWrapper):
    """A ``Discrete(n)`` state as ``n`` float32 values, one of them 1."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.n = int(env.observation_space.n)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (self.n,), np.float32)

    def observation(self, observation: int) -> np.ndarray:
        out = np.zeros(self.n, np.float32)
        out[int(observation)] = 1.0
        return out


def encode_states(env: gym.Env) -> gym.Env:
    """Taxi gets DI-engine's encoding, any other env with ``Discrete`` states a one-hot vector, the rest nothing."""
    if not isinstance(env.observation_space, gym.spaces.Discrete):
        return env
    return TaxiEncoding(env) if env.spec is not None and env.spec.name == "Taxi" else OneHot(env)


class BitFlipEnv(gym.Env):
    """DI-engine's BitFlip: observe ``[state, goal]`` (2 ``n_bits`` values), flip one bit per step; reward 1 and the
    end of the episode when the state equals the goal, else 0; at most ``n_bits`` flips (a time limit)."""

    def __init__(self, n_bits: int = 4) -> None:
        self.n_bits = n_bits
        self.observation_space = gym.spaces.Box(0.0, 1.0, (2 * n_bits,), np.float32)
        self.action_space = gym.spaces.Discrete(n_bits)
        self.state = np.zeros(n_bits, np.float32)
        self.goal = np.zeros(n_bits, np.float32)
        self.steps = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.steps = 0
        self.state = self.np_random.integers(0, 2, self.n_bits).astype(np.float32)
        self.goal = self.state
        while (self.goal == self.state).all():
            self.goal = self.np_random.integers(0, 2, self.n_bits).astype(np.float32)
        return np.concatenate([self.state, self.goal]), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.state = self.state.copy()
        self.state[int(action)] = 1.0 - self.state[int(action)]
        self.steps += 1
        success = bool((self.state == self.goal).all())
        return (np.concatenate([self.state, self.goal]), float(success), success,
                not success and self.steps >= self.n_bits, {})
