"""Off-policy actor-critic targets and losses (DDPG, TD3, SAC, discrete SAC) checked by hand-computed value."""

import math

import pytest
import torch
from torch.distributions import Normal, TanhTransform, TransformedDistribution
from torch.testing import assert_close

from ding_lite.rl_utils import (
    critic_mse_loss,
    ddpg_actor_loss,
    discrete_sac_policy_loss,
    discrete_sac_target,
    sac_alpha_loss,
    sac_policy_loss,
    smoothed_target_action,
    tanh_gaussian_log_prob,
    tanh_gaussian_sample,
    twin_q_target,
)

TOL = {"rtol": 1e-6, "atol": 1e-6}
RETURNS = torch.tensor([1.0, 1.0])
DISCOUNT = torch.tensor([0.5, 0.0])


def test_twin_q_target_bootstraps_from_the_smaller_critic() -> None:
    q1 = torch.tensor([1.0, 5.0], requires_grad=True)
    q2 = torch.tensor([2.0, 3.0])
    target = twin_q_target(q1, q2, RETURNS, DISCOUNT)
    assert_close(target, torch.tensor([1.0 + 0.5 * 1.0, 1.0]), **TOL)
    assert not target.requires_grad
    assert_close(twin_q_target(q1, None, RETURNS, DISCOUNT), torch.tensor([1.5, 1.0]), **TOL)


def test_twin_q_target_with_sac_entropy_bonus() -> None:
    q1, q2 = torch.tensor([1.0, 5.0]), torch.tensor([2.0, 3.0])
    next_logp = torch.tensor([-1.0, 2.0])
    # min q [1, 3] - 0.2 * logp -> [1.2, 2.6]; second sample terminal
    target = twin_q_target(q1, q2, RETURNS, DISCOUNT, alpha=0.2, next_logp=next_logp)
    assert_close(target, torch.tensor([1.0 + 0.5 * 1.2, 1.0]), **TOL)
    alpha = torch.tensor(0.2, requires_grad=True)
    assert not twin_q_target(q1, q2, RETURNS, DISCOUNT, alpha, next_logp).requires_grad
    with pytest.raises(ValueError, match="next_logp"):
        twin_q_target(q1, q2, RETURNS, DISCOUNT, alpha=0.2)


def test_smoothed_target_action_without_noise_only_clips_to_the_bounds() -> None:
    action = torch.tensor([[0.5, -1.5], [2.0, 0.0]])
    out = smoothed_target_action(action, 0.0, (-0.5, 0.5), -1.0, 1.0, torch.Generator().manual_seed(0))
    assert_close(out, torch.tensor([[0.5, -1.0], [1.0, 0.0]]), **TOL)


def test_smoothed_target_action_clips_the_noise_to_its_range() -> None:
    action = torch.zeros(3, 2, dtype=torch.float64)
    low, high = torch.tensor([-1.0, -0.2], dtype=torch.float64), torch.tensor([1.0, 1.0], dtype=torch.float64)
    out = smoothed_target_action(action, 100.0, (-0.3, 0.5), low, high, torch.Generator().manual_seed(3))
    # sigma 100 saturates every draw at an end of the noise range, then the second dim is clipped at -0.2
    positive = torch.randn(3, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64) > 0
    expected = torch.where(positive, 0.5, -0.3).to(torch.float64)
    expected[:, 1] = expected[:, 1].clamp(min=-0.2)
    assert_close(out, expected, **TOL)
    assert out.dtype == torch.float64


def test_smoothed_target_action_advances_the_generator_it_is_given() -> None:
    gen = torch.Generator().manual_seed(7)
    first = smoothed_target_action(torch.zeros(4), 0.1, (-1.0, 1.0), -1.0, 1.0, gen)
    second = smoothed_target_action(torch.zeros(4), 0.1, (-1.0, 1.0), -1.0, 1.0, gen)
    replay = torch.Generator().manual_seed(7)
    assert_close(first, torch.randn(4, generator=replay) * 0.1, **TOL)
    assert_close(second, torch.randn(4, generator=replay) * 0.1, **TOL)


def test_tanh_gaussian_log_prob_matches_torch_transformed_distribution() -> None:
    mean = torch.tensor([[0.3, -1.0, 0.0], [1.5, 0.2, -0.4]], dtype=torch.float64)
    log_std = torch.tensor([[-0.5, 0.1, 0.0], [0.3, -1.2, 0.7]], dtype=torch.float64)
    pre_tanh = torch.tensor([[0.1, -2.0, 0.5], [3.0, 0.0, -1.7]], dtype=torch.float64)
    reference = TransformedDistribution(Normal(mean, log_std.exp()), TanhTransform())
    expected = reference.log_prob(torch.tanh(pre_tanh)).sum(-1)
    assert_close(tanh_gaussian_log_prob(pre_tanh, mean, log_std), expected, rtol=1e-10, atol=1e-10)


def test_tanh_gaussian_log_prob_by_hand_at_zero_and_stable_far_out() -> None:
    zeros = torch.zeros(1, 2)
    # standard normal at 0, no squashing correction (tanh'(0) = 1): -log(2 pi) over two dims
    assert_close(tanh_gaussian_log_prob(zeros, zeros, zeros), torch.tensor([-math.log(2 * math.pi)]), **TOL)
    # u = 12 in float32: 1 - tanh(u)^2 rounds to 0, yet log(1 - tanh^2) = log 4 - 2u - 2 log(1 + e^-2u)
    u, mean = torch.tensor([[12.0]]), torch.tensor([[11.0]])
    log_jacobian = math.log(4.0) - 24.0 - 2.0 * math.log1p(math.exp(-24.0))
    expected = -0.5 - 0.5 * math.log(2 * math.pi) - log_jacobian
    assert 1.0 - torch.tanh(u).pow(2).item() == 0.0
    assert_close(tanh_gaussian_log_prob(u, mean, torch.zeros(1, 1)), torch.tensor([expected]), **TOL)


def test_tanh_gaussian_sample_is_reparameterised_from_the_given_generator() -> None:
    mean = torch.tensor([[0.2, -0.3]], requires_grad=True)
    log_std = torch.tensor([[0.0, -1.0]], requires_grad=True)
    action, logp = tanh_gaussian_sample(mean, log_std, torch.Generator().manual_seed(5))
    eps = torch.randn(1, 2, generator=torch.Generator().manual_seed(5))
    pre_tanh = mean.detach() + log_std.detach().exp() * eps
    assert_close(action, torch.tanh(pre_tanh), **TOL)
    assert_close(logp, tanh_gaussian_log_prob(pre_tanh, mean.detach(), log_std.detach()), **TOL)
    (action.sum() + logp.sum()).backward()
    assert mean.grad is not None and log_std.grad is not None


def test_twin_critic_loss_sums_both_mses_and_averages_the_error_magnitudes() -> None:
    q1, q2, target = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]), torch.tensor([2.0, 2.0])
    # errors: critic 1 [-1, 0], critic 2 [-2, 2]
    loss, per_sample, info = critic_mse_loss(q1, q2, target)
    assert_close(loss, torch.tensor(0.5 + 4.0), **TOL)
    assert_close(per_sample, torch.tensor([1.5, 1.0]), **TOL)
    assert_close(info["q_value"], torch.tensor(1.5), **TOL)
    assert_close(info["q_value_twin"], torch.tensor(2.0), **TOL)
    assert_close(info["target_q_value"], torch.tensor(2.0), **TOL)
    weighted, _, _ = critic_mse_loss(q1, q2, target, weight=torch.tensor([2.0, 0.5]))
    assert_close(weighted, torch.tensor((2.0 * 1 + 0.0) / 2 + (2.0 * 4 + 0.5 * 4) / 2), **TOL)


def test_single_critic_loss_and_its_gradient() -> None:
    q1 = torch.tensor([1.0, 2.0], requires_grad=True)
    loss, per_sample, info = critic_mse_loss(q1, None, torch.tensor([2.0, 2.0]))
    assert_close(loss, torch.tensor(0.5), **TOL)
    assert_close(per_sample, torch.tensor([1.0, 0.0]), **TOL)
    assert "q_value_twin" not in info and not per_sample.requires_grad
    loss.backward()
    assert_close(q1.grad, torch.tensor([2 * -1.0 / 2, 0.0]), **TOL)
    with pytest.raises(ValueError, match="weight"):
        critic_mse_loss(q1, None, torch.tensor([2.0, 2.0]), weight=torch.ones(3))


def test_ddpg_actor_loss_is_minus_the_mean_q() -> None:
    loss, info = ddpg_actor_loss(torch.tensor([1.0, 3.0]))
    assert_close(loss, torch.tensor(-2.0), **TOL)
    assert_close(info["actor_q_value"], torch.tensor(2.0), **TOL)


def test_sac_policy_loss_and_a_tensor_alpha_stays_constant() -> None:
    alpha = torch.tensor(0.5, requires_grad=True)
    logp = torch.tensor([-1.0, -2.0], requires_grad=True)
    loss, info = sac_policy_loss(torch.tensor([1.0, 4.0]), torch.tensor([2.0, 3.0]), logp, alpha)
    # alpha * logp - min q = [-0.5 - 1, -1 - 3]
    assert_close(loss, torch.tensor(-2.75), **TOL)
    assert_close(info["entropy"], torch.tensor(1.5), **TOL)
    loss.backward()
    assert alpha.grad is None
    assert_close(logp.grad, torch.tensor([0.25, 0.25]), **TOL)


def test_sac_alpha_loss_lowers_alpha_while_entropy_is_above_target() -> None:
    log_alpha = torch.tensor(math.log(0.5), requires_grad=True)
    logp = torch.tensor([-1.0, -3.0], requires_grad=True)  # entropy 2 > target -1
    loss, info = sac_alpha_loss(log_alpha, logp, target_entropy=-1.0)
    assert_close(loss, torch.tensor(3.0 * math.log(0.5)), **TOL)  # -log_alpha * mean(logp - 1)
    assert_close(info["alpha"], torch.tensor(0.5), **TOL)
    loss.backward()
    assert_close(log_alpha.grad, torch.tensor(3.0), **TOL)  # positive: a descent step lowers alpha
    assert logp.grad is None


P = (0.25, 0.75)
ENTROPY = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))


def test_discrete_sac_target_is_the_exact_soft_value_expectation() -> None:
    next_logits = torch.log(torch.tensor([P])) + 3.0
    q1, q2 = torch.tensor([[1.0, 2.0]]), torch.tensor([[2.0, 1.0]])
    # min q is 1 for both actions: V = sum_a p_a (1 - 0.5 log p_a) = 1 + 0.5 H
    target = discrete_sac_target(q1, q2, next_logits, torch.tensor([0.5]), torch.tensor([0.9]), alpha=0.5)
    assert_close(target, torch.tensor([0.5 + 0.9 * (1.0 + 0.5 * ENTROPY)]), **TOL)
    # one critic, no entropy bonus: V = 0.25 * 1 + 0.75 * 2
    target = discrete_sac_target(q1, None, next_logits, torch.tensor([0.5]), torch.tensor([0.9]), alpha=0.0)
    assert_close(target, torch.tensor([0.5 + 0.9 * 1.75]), **TOL)


def test_discrete_sac_policy_loss_and_its_entropy_for_the_alpha_loss() -> None:
    logits = torch.log(torch.tensor([P])).requires_grad_(True)
    q1 = torch.tensor([[1.0, 2.0]], requires_grad=True)
    q2 = torch.tensor([[3.0, 0.0]])
    # min q [1, 0]: sum_a p_a (0.5 log p_a - q_a) = -0.5 H - 0.25
    loss, info = discrete_sac_policy_loss(logits, q1, q2, alpha=0.5)
    assert_close(loss, torch.tensor(-0.5 * ENTROPY - 0.25), **TOL)
    assert_close(info["entropy"], torch.tensor(ENTROPY), **TOL)
    loss.backward()
    assert q1.grad is None and logits.grad is not None
    log_alpha = torch.tensor(math.log(0.5), requires_grad=True)
    alpha_loss, _ = sac_alpha_loss(log_alpha, -info["entropy"], target_entropy=0.5)
    alpha_loss.backward()
    assert_close(log_alpha.grad, torch.tensor(ENTROPY - 0.5), **TOL)  # -(-H + target)
