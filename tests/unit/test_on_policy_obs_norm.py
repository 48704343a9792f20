"""``policy.obs_norm`` is an on-policy family key: every on-policy type trains on observations normalised with the
statistics they were collected with, then absorbs the rollout into the statistics (kept in the checkpoint)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from ding_lite.policy.registry import get_policy_class

ONE_STEP_TYPES = ("a2c", "ppo", "trpo")  # sample collectors: [T, N] rollouts
EPISODE_TYPES = ("pg", "ppo_pg")  # episode collectors: a list of episodes


def policy_with_obs_norm(name: str):
    cls = get_policy_class(name)
    cfg = copy.deepcopy(cls.default_config())
    cfg["obs_norm"] = True
    cfg["model"].update(obs_shape=3, action_shape=2)
    return cls(cfg, seed=0)


def observations(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(1).normal(5.0, 3.0, size=(*shape, 3)).astype(np.float32)


@pytest.mark.parametrize("name", ONE_STEP_TYPES)
def test_sample_rollouts_train_on_collect_time_statistics_then_update_them(name):
    policy = policy_with_obs_norm(name)
    T, N = 4, 2
    obs = observations((T, N))
    rollout = {"obs": obs, "final_obs": obs, "reward": np.zeros((T, N), np.float32),
               "terminated": np.zeros((T, N), bool), "truncated": np.zeros((T, N), bool)}
    outs = [policy.collect_forward(o) for o in obs]
    rollout.update({k: np.stack([out[k] for out in outs]) for k in outs[0]})
    data = policy.process_rollout(rollout, obs[-1])
    np.testing.assert_allclose(data["obs"].numpy(), obs.reshape(-1, 3), rtol=1e-6)  # initial stats: identity
    np.testing.assert_allclose(policy.obs_rms.mean, obs.reshape(-1, 3).mean(0), rtol=1e-3)
    assert policy.state_dict_learn()["obs_rms"]["count"] == pytest.approx(T * N, abs=1e-3)


@pytest.mark.parametrize("name", EPISODE_TYPES)
def test_episode_rollouts_train_on_collect_time_statistics_then_update_them(name):
    policy = policy_with_obs_norm(name)
    episodes = []
    for length in (3, 5):
        obs = observations((length,))
        out = [policy.collect_forward(o[None]) for o in obs]
        episodes.append({"obs": obs, "final_obs": obs, "reward": np.ones(length, np.float32),
                         "terminated": np.eye(1, length, length - 1, dtype=bool)[0],
                         "truncated": np.zeros(length, bool),
                         **{k: np.concatenate([o[k] for o in out]) for k in out[0]}})
    data = policy.process_rollout(episodes)
    every = np.concatenate([ep["obs"] for ep in episodes])
    np.testing.assert_allclose(data["obs"].numpy(), every, rtol=1e-6)
    np.testing.assert_allclose(policy.obs_rms.mean, every.mean(0), rtol=1e-3)
    assert policy.state_dict_learn()["obs_rms"]["count"] == pytest.approx(len(every), abs=1e-3)
