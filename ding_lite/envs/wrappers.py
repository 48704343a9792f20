"""DI-engine's Atari preprocessing as gymnasium wrappers, plus the generic frame stack.

``atari_preset`` wraps an ALE env the way DI-engine's ``wrap_deepmind`` does, innermost first:

1. ``NoopReset``: after every real reset, 1-30 no-op steps (action 0, ALE's NOOP), the count drawn from the
   env's own ``np_random`` (seeded by ``reset(seed=...)``; DI-engine draws from numpy's global RNG).
2. ``MaxAndSkip``: each agent step repeats the action for 4 emulator frames, sums their rewards and returns the
   pixel-wise max of the last two frames (ALE renders some sprites every other frame).
3. ``EpisodicLife`` (training envs only): a lost life ends the training episode while the game goes on.
4. ``FireReset`` where the game's action set has FIRE: every reset presses FIRE once to start play.
5. ``WarpFrame``: grayscale, resized to 84x84 with area interpolation (OpenCV), still uint8.
6. ``ClipReward`` (training envs only): the reward's sign, so one learning rate fits every game.
7. ``FrameStack``: the last ``frame_stack`` frames on a new first axis: ``[4, 84, 84]`` uint8.

DI-engine's ``ScaledFloatFrame`` (``/255``) is left out on purpose: frames stay uint8 in the envs, the managers
and the replay buffer (a quarter of float32's memory) and the model scales them on the device. Evaluation envs
skip 3 and 6, so they play whole games and report the real score. Every wrapper keeps only plain attributes
(ints, bools, a deque of arrays), so the reflective env-state capture saves them for exact resume.
"""
from __future__ import annotations

from collections import deque
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

NOOP, FIRE = 0, 1
"""ALE's minimal action sets start with NOOP, and FIRE second where the game has it."""


class NoopReset(gym.Wrapper):
    """Random starts: without them a deterministic emulator replays the same opening every episode."""

    def __init__(self, env: gym.Env, noop_max: int = 30) -> None:
        super().__init__(env)
        self.noop_max = noop_max

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        for _ in range(int(self.np_random.integers(1, self.noop_max + 1))):
            obs, _, terminated, truncated, info = self.env.step(NOOP)
            if terminated or truncated:
                obs, info = self.env.reset()
        return obs, info


class MaxAndSkip(gym.Wrapper):
    """One agent step is ``skip`` emulator frames: 4x fewer decisions, and the max hides sprite flicker."""

    def __init__(self, env: gym.Env, skip: int = 4) -> None:
        super().__init__(env)
        self.skip = skip

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict]:
        total, frames = 0.0, []
        for _ in range(self.skip):
            frame, reward, terminated, truncated, info = self.env.step(action)
            frames = [*frames[-1:], frame]
            total += float(reward)
            if terminated or truncated:
                break
        pooled = frames[0] if len(frames) == 1 else np.maximum(frames[0], frames[1])
        return pooled, total, terminated, truncated, info


def _lives(env: gym.Env) -> int:
    return int(env.unwrapped.ale.lives())


class EpisodicLife(gym.Wrapper):
    """Losing a life is terminal for the learner (better value targets); only game over resets the emulator.

    After a lost life, ``reset`` continues the same game with one no-op step, as DI-engine does. A seeded
    reset always starts a new game, and so does a continuing no-op step that itself ends the game (DI-engine
    would go on stepping the finished game).
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.lives = 0
        self.game_over = True

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.game_over = bool(terminated or truncated)
        lives = _lives(self.env)
        if 0 < lives < self.lives:  # lives == 0 may last a few frames before game over (Qbert)
            terminated = True
        self.lives = lives
        return obs, reward, terminated, truncated, info

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        if not self.game_over and seed is None:
            obs, _, terminated, truncated, info = self.env.step(NOOP)
            self.game_over = bool(terminated or truncated)
        if self.game_over or seed is not None:
            obs, info = self.env.reset(seed=seed, options=options)
            self.game_over = False
        self.lives = _lives(self.env)
        return obs, info


class FireReset(gym.Wrapper):
    """Games such as Pong or Breakout wait for FIRE before play starts; press it on every reset."""

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        self.env.reset(seed=seed, options=options)
        obs, _, _, _, info = self.env.step(FIRE)
        return obs, info


class WarpFrame(gym.ObservationWrapper):
    """RGB 210x160 to grayscale ``size`` x ``size`` uint8 (DI-engine's and the Nature DQN's input)."""

    def __init__(self, env: gym.Env, size: int = 84) -> None:
        super().__init__(env)
        self.size = size
        self.observation_space = gym.spaces.Box(0, 255, (size, size), np.uint8)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        import cv2  # the atari extra (checked when the env id is resolved); a cached import, not kept on self

        gray = cv2.cvtColor(observation, cv2.COLOR_RGB2GRAY)
        return cv2.resize(gray, (self.size, self.size), interpolation=cv2.INTER_AREA)


class ChannelFirst(gym.ObservationWrapper):
    """``[H, W, C]`` frames as ``[C, H, W]`` (the conv encoder's layout), dtype kept."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        space = env.observation_space
        self.observation_space = gym.spaces.Box(space.low.transpose(2, 0, 1), space.high.transpose(2, 0, 1),
                                                dtype=space.dtype)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(observation.transpose(2, 0, 1))


class ClipReward(gym.RewardWrapper):
    """The reward's sign (-1, 0 or 1): scores differ by orders of magnitude between games."""

    def reward(self, reward: SupportsFloat) -> float:
        return float(np.sign(reward))


class FrameStack(gym.Wrapper):
    """The last ``n`` observations stacked on a new first axis (channel-first); a reset repeats the first one.

    Motion is visible only across frames. The frames keep their dtype (uint8 for Atari).
    """

    def __init__(self, env: gym.Env, n: int) -> None:
        super().__init__(env)
        self.n = n
        self.frames: deque = deque(maxlen=n)
        space = env.observation_space
        low = np.repeat(space.low[None], n, axis=0)
        high = np.repeat(space.high[None], n, axis=0)
        self.observation_space = gym.spaces.Box(low, high, dtype=space.dtype)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        self.frames.extend([obs] * self.n)
        return np.stack(self.frames), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.frames.append(obs)
        return np.stack(self.frames), reward, terminated, truncated, info


def has_fire(env: gym.Env) -> bool:
    meanings = env.unwrapped.get_action_meanings()
    return len(meanings) >= 3 and meanings[FIRE] == "FIRE"


def atari_preset(env: gym.Env, frame_stack: int, train: bool) -> gym.Env:
    """DI-engine's Atari pipeline around an ALE env without frame skip (see the module docstring for the order).

    ``train`` adds episodic life and reward clipping (collector envs); ``frame_stack`` 0 stacks nothing.
    """
    env = MaxAndSkip(NoopReset(env))
    if train:
        env = EpisodicLife(env)
    if has_fire(env):
        env = FireReset(env)
    env = WarpFrame(env)
    if train:
        env = ClipReward(env)
    return FrameStack(env, frame_stack) if frame_stack else env
