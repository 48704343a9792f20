"""garage's linear feature baseline by value: its features, and its fit against a direct least-squares solve."""
from __future__ import annotations

import numpy as np
import torch
from torch.testing import assert_close

from ding_lite.rl_utils.linear_baseline import LinearFeatureBaseline, fit_linear_baseline, linear_features


def test_features_are_obs_obs_squared_and_cubic_time_over_100_with_obs_clipped_to_10():
    obs = torch.tensor([[1.0, -2.0], [30.0, 0.5]])
    steps = torch.tensor([0, 50])
    want = torch.tensor([[1.0, -2.0, 1.0, 4.0, 0.0, 0.0, 0.0, 1.0],
                         [10.0, 0.5, 100.0, 0.25, 0.5, 0.25, 0.125, 1.0]], dtype=torch.float64)
    assert_close(linear_features(obs, steps), want)


def test_fit_matches_a_direct_least_squares_solve():
    rng = np.random.default_rng(0)
    obs, steps = rng.normal(size=(500, 4)), rng.integers(0, 200, size=500)
    feats = linear_features(torch.from_numpy(obs), torch.from_numpy(steps)).numpy()
    returns = feats @ rng.normal(size=feats.shape[1]) + 0.01 * rng.normal(size=500)
    direct, *_ = np.linalg.lstsq(feats, returns, rcond=None)
    coeffs = fit_linear_baseline(torch.from_numpy(feats), torch.from_numpy(returns), reg_coeff=1e-12)
    np.testing.assert_allclose(coeffs.numpy(), direct, rtol=1e-6, atol=1e-8)


def test_ridge_term_is_the_one_in_the_normal_equations():
    feats = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    y = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
    want = torch.linalg.solve(feats.T @ feats + 0.5 * torch.eye(2, dtype=torch.float64), feats.T @ y)
    assert_close(fit_linear_baseline(feats, y, reg_coeff=0.5), want)


def test_a_constant_feature_column_still_fits_and_the_module_predicts_zero_before_its_first_fit():
    baseline = LinearFeatureBaseline(obs_dim=2)
    obs = torch.stack([torch.zeros(50), torch.linspace(-1, 1, 50)], dim=1)  # first dimension never moves
    steps = torch.arange(50)
    assert torch.equal(baseline.predict(obs, steps), torch.zeros(50))
    returns = 3.0 * obs[:, 1] + 1.0
    baseline.fit(obs, steps, returns)
    assert torch.isfinite(baseline.coeffs).all()
    assert_close(baseline.predict(obs, steps), returns, atol=1e-4, rtol=0)
    restored = LinearFeatureBaseline(obs_dim=2)
    restored.load_state_dict(baseline.state_dict())
    assert torch.equal(restored.coeffs, baseline.coeffs)
