"""Gaussian policy maths against torch.distributions, the running normaliser, and PPO's use of both."""

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch.distributions import Normal
from torch.testing import assert_close

from ding_lite.model.common.distributions import LOG_SQRT_2PI, gaussian_log_prob
from ding_lite.policy.ppo import PPOPolicy
from ding_lite.utils.normalizer import RunningMeanStd


def test_gaussian_log_prob_matches_torch_normal_summed_over_dimensions() -> None:
    g = torch.Generator().manual_seed(0)
    mean = torch.randn(32, 3, generator=g)
    log_std = torch.randn(32, 3, generator=g) * 0.5
    action = torch.randn(32, 3, generator=g) * 2
    expected = Normal(mean, log_std.exp()).log_prob(action).sum(-1)
    assert_close(gaussian_log_prob(action, mean, log_std), expected, rtol=1e-5, atol=1e-5)


def test_gaussian_log_prob_by_hand() -> None:
    # N(0, 1) at 1: -0.5 - log(sqrt(2 pi)); N(1, e) at 1: -1 - log(sqrt(2 pi))
    out = gaussian_log_prob(torch.tensor([[1.0, 1.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 1.0]]))
    assert out.item() == pytest.approx(-0.5 - 1.0 - 2 * LOG_SQRT_2PI)


def test_entropy_used_by_ppo_matches_torch_normal() -> None:
    cfg = copy.deepcopy(PPOPolicy.default_config())
    cfg["model"].update(obs_shape=3, action_shape=2, action_space="continuous", init_log_std=-0.7)
    policy = PPOPolicy(cfg, seed=0)
    obs = torch.randn(4, 3)
    out, _ = policy.model(obs)
    _, entropy = policy.log_prob_entropy(out, torch.zeros(4, 2))
    assert_close(entropy, Normal(out[0], out[1].exp()).entropy().sum(-1))


def test_running_mean_std_equals_the_statistics_of_all_batches() -> None:
    rng = np.random.default_rng(0)
    batches = [rng.normal(3.0, 2.0, size=(n, 2)) for n in (5, 17, 1, 40)]
    rms = RunningMeanStd((2,), initial_count=0.0)
    for b in batches:
        rms.update(b)
    data = np.concatenate(batches)
    np.testing.assert_allclose(rms.mean, data.mean(0), rtol=1e-12)
    np.testing.assert_allclose(rms.var, data.var(0), rtol=1e-12)
    assert rms.count == len(data)
    normed = rms.normalize(data)
    assert normed.dtype == np.float32
    np.testing.assert_allclose(normed.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(normed.std(0), 1.0, atol=1e-5)


def test_normalizer_clips_and_round_trips_its_state() -> None:
    rms = RunningMeanStd((1,), clip=2.0)
    rms.update(np.array([[0.0], [2.0]]))
    assert rms.normalize(np.array([[100.0]]))[0, 0] == 2.0
    other = RunningMeanStd((1,), clip=2.0)
    other.load_state_dict(rms.state_dict())
    assert other.count == rms.count and np.array_equal(other.mean, rms.mean) and np.array_equal(other.var, rms.var)
    with pytest.raises(ValueError, match="shape"):
        RunningMeanStd((3,)).load_state_dict(rms.state_dict())


def continuous_policy(obs_norm: bool) -> PPOPolicy:
    cfg = copy.deepcopy(PPOPolicy.default_config())
    cfg.update(action_space="continuous", obs_norm=obs_norm)
    cfg["model"].update(obs_shape=3, action_shape=1, action_space="continuous")
    policy = PPOPolicy(cfg, seed=0)
    policy.bind_action_space(gym.spaces.Box(-2.0, 2.0, (1,), np.float32))
    return policy


def test_collect_clips_only_the_env_action_and_keeps_the_sampled_one_for_log_probs() -> None:
    policy = continuous_policy(obs_norm=False)
    with torch.no_grad():
        policy.model.log_std.fill_(2.0)  # std e^2: many samples fall outside [-2, 2]
    out = policy.collect_forward(np.zeros((256, 3), np.float32))
    assert np.abs(out["action"]).max() > 2.0
    assert np.abs(out["env_action"]).max() <= 2.0
    np.testing.assert_array_equal(out["env_action"], np.clip(out["action"], -2.0, 2.0))


def test_obs_normalisation_uses_collect_time_statistics_then_absorbs_the_rollout() -> None:
    policy = continuous_policy(obs_norm=True)
    assert "obs_rms" in policy.learn_modules()
    rng = np.random.default_rng(1)
    T, N = 4, 2
    obs = rng.normal(5.0, 3.0, size=(T, N, 3)).astype(np.float32)
    rollout = {"obs": obs, "final_obs": obs, "reward": np.zeros((T, N), np.float32),
               "terminated": np.zeros((T, N), bool), "truncated": np.zeros((T, N), bool)}
    outs = [policy.collect_forward(o) for o in obs]
    rollout.update({k: np.stack([out[k] for out in outs]) for k in ("action", "logp", "value")})
    data = policy.process_rollout(rollout, obs[-1])
    # the first collect ran with the initial statistics (mean 0, var 1): training sees the same inputs
    np.testing.assert_allclose(data["obs"].numpy(), np.clip(obs.reshape(-1, 3), -10, 10), rtol=1e-6)
    np.testing.assert_allclose(policy.obs_rms.mean, obs.reshape(-1, 3).mean(0), rtol=1e-3)
    out, _ = policy.model(data["obs"])
    logp, _ = policy.log_prob_entropy(out, data["action"])
    assert_close(logp, data["logp"])  # ratio 1 on the first epoch: collect and learn agree
    state = policy.state_dict_learn()
    assert state["obs_rms"]["count"] == pytest.approx(T * N, abs=1e-3)
