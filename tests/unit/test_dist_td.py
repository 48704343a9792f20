"""C51 projection and loss, QR-DQN and IQN quantile Huber losses checked against hand-computed values."""

import math

import pytest
import torch
from torch.testing import assert_close

from ding_lite.rl_utils import c51_loss, c51_projection, iqn_loss, qrdqn_loss

TOL = {"rtol": 1e-6, "atol": 1e-6}
LOG2 = math.log(2.0)


def test_c51_projection_splits_each_shifted_atom_between_its_neighbours() -> None:
    # support 0, 1, 2, 3, 4 (spacing 1)
    p = [0.1, 0.2, 0.3, 0.2, 0.2]
    next_dist = torch.tensor([p, p, p, p])
    returns = torch.tensor([1.0, 2.3, 3.0, -10.0])
    discount = torch.tensor([0.5, 0.0, 1.0, 0.0])
    proj = c51_projection(next_dist, returns, discount, v_min=0.0, v_max=4.0, n_atom=5)
    expected = torch.tensor([
        # atoms land on 1, 1.5, 2, 2.5, 3: 0.1 -> 1; 0.2 halves to 1 and 2; 0.3 -> 2; 0.2 halves to 2, 3; 0.2 -> 3
        [0.0, 0.2, 0.5, 0.3, 0.0],
        # terminal window: every atom lands on 2.3, 70% to atom 2 and 30% to atom 3
        [0.0, 0.0, 0.7, 0.3, 0.0],
        # atoms land on 3, 4, 5, 6, 7 and the last four clip to v_max exactly (b on a support point)
        [0.0, 0.0, 0.0, 0.1, 0.9],
        # far below v_min: everything clips to atom 0
        [1.0, 0.0, 0.0, 0.0, 0.0],
    ])
    assert_close(proj, expected, **TOL)
    assert_close(proj.sum(1), torch.ones(4), **TOL)


def test_c51_projection_is_detached_and_checks_its_shapes() -> None:
    next_dist = torch.full((2, 3), 1 / 3, requires_grad=True)
    proj = c51_projection(next_dist, torch.zeros(2), torch.ones(2), -1.0, 1.0, 3)
    assert not proj.requires_grad
    assert_close(proj, torch.full((2, 3), 1 / 3), **TOL)
    with pytest.raises(ValueError, match="next_dist"):
        c51_projection(next_dist, torch.zeros(2), torch.ones(2), -1.0, 1.0, 4)
    with pytest.raises(ValueError, match="n_atom"):
        c51_projection(torch.ones(2, 1), torch.zeros(2), torch.ones(2), -1.0, 1.0, 1)


def _c51_probs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    probs = torch.tensor([
        [[0.2, 0.3, 0.5], [0.5, 0.25, 0.25]],  # sample 0 takes action 1
        [[0.25, 0.5, 0.25], [0.1, 0.1, 0.8]],  # sample 1 takes action 0
    ])
    action = torch.tensor([1, 0])
    target = torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    return probs, action, target


def test_c51_loss_is_the_cross_entropy_of_the_taken_action() -> None:
    probs, action, target = _c51_probs()
    # sample 0: -log 0.25 = 2 log 2; sample 1: -(0.5 log 0.25 + 0.5 log 0.5) = 1.5 log 2
    loss, per_sample, info = c51_loss(probs, action, target, from_logits=False)
    assert_close(per_sample, torch.tensor([2.0 * LOG2, 1.5 * LOG2]), **TOL)
    assert_close(loss, torch.tensor(1.75 * LOG2), **TOL)
    assert_close(info["cross_entropy"], torch.tensor(1.75 * LOG2), **TOL)
    weighted, per_sample_w, _ = c51_loss(probs, action, target, torch.tensor([1.0, 3.0]), from_logits=False)
    assert_close(weighted, torch.tensor((2.0 + 3 * 1.5) / 2 * LOG2), **TOL)
    assert_close(per_sample_w, per_sample, **TOL)  # priorities ignore the importance weights


def test_c51_loss_from_logits_matches_and_its_gradient_is_softmax_minus_target() -> None:
    probs, action, target = _c51_probs()
    logits = (probs.log() + 7.0).requires_grad_(True)  # a shift does not change the softmax
    loss, per_sample, _ = c51_loss(logits, action, target)
    assert_close(per_sample, torch.tensor([2.0 * LOG2, 1.5 * LOG2]), **TOL)
    loss.backward()
    expected = torch.zeros(2, 2, 3)
    expected[0, 1] = torch.tensor([0.5 - 0.0, 0.25 - 1.0, 0.25 - 0.0]) / 2
    expected[1, 0] = torch.tensor([0.25 - 0.5, 0.5 - 0.5, 0.25 - 0.0]) / 2
    assert_close(logits.grad, expected, **TOL)
    assert not per_sample.requires_grad


def test_c51_loss_refuses_a_weight_of_the_wrong_shape() -> None:
    probs, action, target = _c51_probs()
    with pytest.raises(ValueError, match="weight"):
        c51_loss(probs, action, target, torch.ones(3), from_logits=False)


# Two online quantiles [0, 1] against two targets [0.5, 3]: u = target_j - pred_i is
#   j=0: 0.5, -0.5   j=1: 3, 2
PRED = [[0.0, 1.0]]
TARGET = [[0.5, 3.0]]


def test_qrdqn_loss_by_hand_with_midpoint_fractions() -> None:
    pred = torch.tensor(PRED + [[1.0, 1.0]], requires_grad=True)
    target = torch.tensor(TARGET + [[1.0, 1.0]])
    # taus 1/4, 3/4; Huber (kappa 1): 0.125, 0.125, 2.5, 1.5
    # weights |tau - 1{u<0}|: i0 -> 0.25, 0.25; i1 -> 0.25 (u<0), 0.75
    # i0: mean_j(0.25*0.125, 0.25*2.5) = 0.328125; i1: mean_j(0.25*0.125, 0.75*1.5) = 0.578125
    loss, per_sample, info = qrdqn_loss(pred, target, kappa=1.0)
    assert_close(per_sample, torch.tensor([0.90625, 0.0]), **TOL)
    assert_close(loss, torch.tensor(0.90625 / 2), **TOL)
    assert_close(info["q_value"], torch.tensor(0.75), **TOL)
    assert_close(info["target_q_value"], torch.tensor(1.375), **TOL)
    loss.backward()
    # d/dpred_i = -mean_j |tau_i - 1{u<0}| * dHuber/du / B:
    # i0: -(0.25*0.5 + 0.25*1)/2/2; i1: -(0.25*-0.5 + 0.75*1)/2/2
    assert_close(pred.grad, torch.tensor([[-0.1875 / 2, -0.3125 / 2], [0.0, 0.0]]), **TOL)


def test_qrdqn_loss_with_kappa_two_and_importance_weights() -> None:
    pred = torch.tensor(PRED + [[1.0, 1.0]])
    target = torch.tensor(TARGET + [[1.0, 1.0]])
    # Huber(kappa 2) / 2: 0.125/2, 0.125/2, 2*(3-1)/2 = 2, 0.5*4/2 = 1
    # i0: mean_j(0.25*0.0625, 0.25*2) = 0.2578125; i1: mean_j(0.25*0.0625, 0.75*1) = 0.3828125
    loss, per_sample, _ = qrdqn_loss(pred, target, kappa=2.0, weight=torch.tensor([2.0, 5.0]))
    assert_close(per_sample, torch.tensor([0.640625, 0.0]), **TOL)
    assert_close(loss, torch.tensor(2.0 * 0.640625 / 2), **TOL)


def test_qrdqn_fractions_are_the_midpoints_2i_plus_1_over_2n() -> None:
    # three quantiles at 1/6, 1/2, 5/6; target 0.5; only quantile 0 is below it
    pred = torch.tensor([[0.0, 10.0, 10.0]])
    # i0: tau 1/6 * 0.125; i1, i2: u = -9.5, (1 - tau) * (9.5 - 0.5) = 0.5*9 and 1/6*9
    _, per_sample, _ = qrdqn_loss(pred, torch.tensor([[0.5]]))
    assert_close(per_sample, torch.tensor([0.125 / 6 + 4.5 + 1.5]), **TOL)


def test_iqn_loss_uses_the_sampled_fractions() -> None:
    taus = torch.tensor([[0.1, 0.9]])
    # weights: i0 -> 0.1, 0.1; i1 -> 0.1 (u<0), 0.9
    # i0: mean_j(0.1*0.125, 0.1*2.5) = 0.13125; i1: mean_j(0.1*0.125, 0.9*1.5) = 0.68125
    loss, per_sample, _ = iqn_loss(torch.tensor(PRED), taus, torch.tensor(TARGET), kappa=1.0)
    assert_close(per_sample, torch.tensor([0.8125]), **TOL)
    assert_close(loss, torch.tensor(0.8125), **TOL)


def test_quantile_losses_refuse_bad_kappa_and_shapes() -> None:
    with pytest.raises(ValueError, match="kappa"):
        qrdqn_loss(torch.zeros(1, 2), torch.zeros(1, 2), kappa=0.0)
    with pytest.raises(ValueError, match="taus"):
        iqn_loss(torch.zeros(1, 2), torch.zeros(1, 3), torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"\[B, N\]"):
        qrdqn_loss(torch.zeros(2, 2), torch.zeros(3, 2))
