"""PPO losses checked against hand-computed values."""

import math

import pytest
import torch
from torch.testing import assert_close

from ding_lite.rl_utils import normalize_advantages, ppo_policy_loss, ppo_value_loss

TOL = {"rtol": 1e-6, "atol": 1e-6}
RATIOS = [1.1, 1.5, 0.5, 1.5, 0.5]
ADV = [2.0, 1.0, -1.0, -2.0, 1.0]


def _policy_inputs():
    logp_old = torch.tensor([-0.3, -1.0, -2.0, -0.7, -1.2])
    logp_new = (logp_old + torch.log(torch.tensor(RATIOS))).requires_grad_(True)
    return logp_new, logp_old, torch.tensor(ADV)


def test_policy_loss_clipping_inside_and_outside_range() -> None:
    logp_new, logp_old, adv = _policy_inputs()
    loss, info = ppo_policy_loss(logp_new, logp_old, adv, clip_ratio=0.2)
    terms = [
        min(1.1 * 2.0, 1.1 * 2.0),  # inside range, A>0: 2.2
        min(1.5 * 1.0, 1.2 * 1.0),  # above range, A>0: clipped to 1.2
        min(0.5 * -1.0, 0.8 * -1.0),  # below range, A<0: clipped to -0.8
        min(1.5 * -2.0, 1.2 * -2.0),  # above range, A<0: unclipped -3.0 is smaller
        min(0.5 * 1.0, 0.8 * 1.0),  # below range, A>0: unclipped 0.5 is smaller
    ]
    assert terms == pytest.approx([2.2, 1.2, -0.8, -3.0, 0.5])
    assert_close(loss, torch.tensor(-(2.2 + 1.2 - 0.8 - 3.0 + 0.5) / 5), **TOL)  # -0.02
    assert_close(info["clipfrac"], torch.tensor(4 / 5), **TOL)
    approx_kl = -math.log(1.1 * 1.5 * 0.5 * 1.5 * 0.5) / 5  # mean(logp_old - logp_new)
    assert_close(info["approx_kl"], torch.tensor(approx_kl), **TOL)
    assert not info["approx_kl"].requires_grad and not info["clipfrac"].requires_grad
    assert info["approx_kl"].dim() == 0 and info["clipfrac"].dim() == 0


def test_policy_loss_gradient_is_zero_where_clipped_term_is_chosen() -> None:
    logp_new, logp_old, adv = _policy_inputs()
    loss, _ = ppo_policy_loss(logp_new, logp_old, adv, clip_ratio=0.2)
    loss.backward()
    # d/dlogp of -(ratio*A)/B = -ratio*A/B for unclipped-chosen terms, 0 for clipped ones.
    expected = torch.tensor([-1.1 * 2.0 / 5, 0.0, 0.0, -1.5 * -2.0 / 5, -0.5 * 1.0 / 5])
    assert_close(logp_new.grad, expected, **TOL)


def test_policy_loss_equal_policies_is_minus_mean_advantage() -> None:
    logp = torch.tensor([-0.5, -1.5, -2.5])
    loss, info = ppo_policy_loss(logp, logp, torch.tensor([1.0, -4.0, 6.0]), clip_ratio=0.1)
    assert_close(loss, torch.tensor(-1.0), **TOL)
    assert_close(info["approx_kl"], torch.tensor(0.0), **TOL)
    assert_close(info["clipfrac"], torch.tensor(0.0), **TOL)


VALUES_NEW = torch.tensor([1.0, 3.0, 0.0])
VALUES_OLD = torch.tensor([0.5, 2.0, 1.0])
RETURNS = torch.tensor([2.0, 2.0, 2.0])


def test_value_loss_unclipped() -> None:
    loss = ppo_value_loss(VALUES_NEW, VALUES_OLD, RETURNS, clip_ratio=None)
    assert_close(loss, torch.tensor(0.5 * (1.0 + 1.0 + 4.0) / 3), **TOL)  # 1.0


def test_value_loss_clipped_takes_elementwise_max() -> None:
    loss = ppo_value_loss(VALUES_NEW, VALUES_OLD, RETURNS, clip_ratio=0.2)
    # unclipped squared errors: (1-2)^2=1, (3-2)^2=1, (0-2)^2=4
    # clipped values: 0.5+0.2=0.7, 2.0+0.2=2.2, 1.0-0.2=0.8
    # clipped squared errors: 1.69, 0.04, 1.44
    # max: 1.69 (clipped wins), 1.0, 4.0
    assert_close(loss, torch.tensor(0.5 * (1.69 + 1.0 + 4.0) / 3), **TOL)  # 1.115


def test_normalize_advantages_uses_unbiased_std() -> None:
    adv = torch.tensor([1.0, 2.0, 3.0, 4.0])
    std = math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3)  # unbiased: divide by n-1
    expected = torch.tensor([-1.5, -0.5, 0.5, 1.5]) / (std + 1e-8)
    assert_close(normalize_advantages(adv), expected, **TOL)


def test_normalize_advantages_constant_input_is_finite() -> None:
    out = normalize_advantages(torch.full((5,), 3.0))
    assert_close(out, torch.zeros(5), **TOL)


def test_normalize_advantages_single_element_raises() -> None:
    with pytest.raises(ValueError):
        normalize_advantages(torch.tensor([1.0]))
