"""DI-engine's Atari wrappers, each against a scripted env with hand-made frames."""
from __future__ import annotations

import importlib
from typing import ClassVar

import gymnasium as gym
import numpy as np
import pytest

from ding_lite.envs.wrappers import (
    FIRE,
    NOOP,
    ClipReward,
    EpisodicLife,
    FireReset,
    FrameStack,
    MaxAndSkip,
    NoopReset,
    WarpFrame,
    atari_preset,
)


class _Ale:
    def __init__(self, env: Scripted) -> None:
        self.env = env

    def lives(self) -> int:
        return self.env.lives


class Scripted(gym.Env):
    """Frame t is a 2x2 image filled with t (plus a per-frame pattern); it records every call.

    ``rewards[t]``/``ends[t]``/``lives_after[t]`` script step t (counted over the env's life, across resets).
    """

    metadata: ClassVar[dict] = {}

    def __init__(self, rewards=None, ends=(), lives_after=None, shape=(2, 2), patterns=None) -> None:
        self.observation_space = gym.spaces.Box(0, 255, shape, np.uint8)
        self.action_space = gym.spaces.Discrete(6)
        self.rewards = rewards or {}
        self.ends = set(ends)
        self.lives_after = lives_after or {}
        self.patterns = patterns or {}
        self.t = 0
        self.lives = 3
        self.actions: list[int] = []
        self.resets = 0
        self.ale = _Ale(self)

    def frame(self) -> np.ndarray:
        return self.patterns.get(self.t, np.full(self.observation_space.shape, self.t, np.uint8))

    def get_action_meanings(self) -> list[str]:
        return ["NOOP", "FIRE", "UP", "RIGHT", "LEFT", "DOWN"]

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.resets += 1
        self.lives = 3
        return self.frame(), {}

    def step(self, action):
        self.actions.append(int(action))
        self.t += 1
        self.lives = self.lives_after.get(self.t, self.lives)
        return self.frame(), self.rewards.get(self.t, 0.0), self.t in self.ends, False, {}


def test_max_and_skip_repeats_the_action_sums_rewards_and_maxes_the_last_two_frames():
    a = np.array([[9, 0], [0, 0]], np.uint8)
    b = np.array([[0, 7], [1, 0]], np.uint8)
    env = Scripted(rewards={1: 1.0, 2: 2.0, 4: -0.5}, patterns={3: a, 4: b})
    obs, reward, terminated, truncated, _ = MaxAndSkip(env, skip=4).step(3)
    assert env.actions == [3, 3, 3, 3]
    assert reward == 2.5 and not terminated and not truncated
    np.testing.assert_array_equal(obs, [[9, 7], [1, 0]])  # frame 1 and 2 (values 1, 2) are not pooled
    assert obs.dtype == np.uint8


@pytest.mark.parametrize("end, expected", [(2, 2), (1, 1)])
def test_max_and_skip_stops_at_the_episode_end(end, expected):
    env = Scripted(rewards={1: 1.0, 2: 1.0, 3: 1.0}, ends={end})
    obs, reward, terminated, _, _ = MaxAndSkip(env, skip=4).step(2)
    assert terminated and len(env.actions) == end and reward == end
    assert (obs == expected).all()  # max of frames 1 and 2 is frame 2; a lone frame is itself


def test_noop_reset_takes_1_to_30_noops_from_the_seeded_env_rng():
    counts = []
    for seed in range(20):
        env = Scripted()
        NoopReset(env).reset(seed=seed)
        assert set(env.actions) == {NOOP}
        counts.append(len(env.actions))
    assert all(1 <= c <= 30 for c in counts) and len(set(counts)) > 5
    again = Scripted()
    NoopReset(again).reset(seed=3)
    assert len(again.actions) == counts[3]


def test_noop_reset_resets_again_when_the_noops_end_the_game():
    env = Scripted(ends={1})
    obs, _ = NoopReset(env, noop_max=1).reset(seed=0)
    assert env.resets == 2 and (obs == 1).all()


def test_episodic_life_ends_the_episode_on_a_lost_life_but_continues_the_game():
    env = Scripted(lives_after={2: 2}, ends={5})
    wrapped = EpisodicLife(env)
    wrapped.reset(seed=0)
    assert not wrapped.step(2)[2]
    assert wrapped.step(2)[2]  # life lost at step 2: terminal for the learner
    obs, _ = wrapped.reset()
    assert env.resets == 1 and env.actions[-1] == NOOP and (obs == 3).all()  # one no-op, same game
    assert wrapped.lives == 2
    assert not wrapped.step(2)[2]
    assert wrapped.step(2)[2]  # step 5: the real game over
    wrapped.reset()
    assert env.resets == 2  # a real reset now


def test_episodic_life_ignores_lives_reaching_zero_and_seeded_resets_start_a_new_game():
    env = Scripted(lives_after={1: 0})
    wrapped = EpisodicLife(env)
    wrapped.reset(seed=0)
    assert not wrapped.step(0)[2]  # 0 lives before game over is not a lost life (Qbert)
    wrapped.reset(seed=1)
    assert env.resets == 2


def test_fire_reset_presses_fire_after_every_reset():
    env = Scripted()
    obs, _ = FireReset(env).reset(seed=0)
    assert env.actions == [FIRE] and (obs == 1).all()


def test_clip_reward_keeps_the_sign():
    env = ClipReward(Scripted(rewards={1: 5.0, 2: -3.0, 3: 0.0}))
    env.reset(seed=0)
    assert [env.step(0)[1] for _ in range(3)] == [1.0, -1.0, 0.0]


def test_warp_frame_is_grayscale_84x84_uint8():
    importlib.import_module("cv2")
    rgb = np.zeros((210, 160, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 50
    env = WarpFrame(Scripted(shape=(210, 160, 3), patterns={0: rgb}))
    obs, _ = env.reset(seed=0)
    assert obs.shape == (84, 84) and obs.dtype == np.uint8 and env.observation_space.shape == (84, 84)
    assert (obs == round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)).all()  # ITU-R 601 luma, flat image


def test_frame_stack_is_channel_first_repeats_the_first_frame_and_shifts():
    env = FrameStack(Scripted(), 4)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4, 2, 2) and obs.dtype == np.uint8 and env.observation_space.shape == (4, 2, 2)
    assert [int(f[0, 0]) for f in obs] == [0, 0, 0, 0]
    env.step(0)
    obs = env.step(0)[0]
    assert [int(f[0, 0]) for f in obs] == [0, 0, 1, 2]


def test_atari_preset_on_pong_train_and_eval_chains():
    importlib.import_module("ale_py")
    importlib.import_module("cv2")
    from ding_lite.envs.registry import resolve_env

    env_id, _ = resolve_env({"env_id": "PongNoFrameskip-v4"})
    chains = {}
    for train in (True, False):
        env = atari_preset(gym.make(env_id), 4, train)
        obs, _ = env.reset(seed=0)
        assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
        names, link = [], env
        while isinstance(link, gym.Wrapper):
            names.append(type(link).__name__)
            link = link.env
        chains[train] = names[:6]
        env.close()
    assert chains[True] == ["FrameStack", "ClipReward", "WarpFrame", "FireReset", "EpisodicLife", "MaxAndSkip"]
    assert chains[False] == ["FrameStack", "WarpFrame", "FireReset", "MaxAndSkip", "NoopReset", "OrderEnforcing"]
