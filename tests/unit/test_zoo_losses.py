"""The new variants' losses and aggregations, against values computed by hand (in the comments)."""
from __future__ import annotations

import math

import pytest
import torch

from ding_lite.model.common.head import branch_q_values
from ding_lite.rl_utils.contrastive import infonce_loss
from ding_lite.rl_utils.dist_td import d4pg_critic_loss, fqf_fraction_loss
from ding_lite.rl_utils.soft_q import munchausen_loss, soft_value, sql_loss, sqn_losses


def test_soft_value_is_alpha_logsumexp_and_bounds_an_overflow_at_20():
    # 0.5 * log(e^2 + e^4) = 2 + 0.5 * log(1 + e^-2) = 2.0634640
    assert soft_value(torch.tensor([[1.0, 2.0]]), 0.5).item() == pytest.approx(2.0634640, abs=1e-6)
    assert soft_value(torch.tensor([[float("inf"), 0.0], [float("-inf"), float("-inf")]]), 1.0).tolist() == [20.0, -20.0]


def test_sql_target_bootstraps_from_the_soft_value():
    # target = 1 + 0.9 * 2.0634640 = 2.8571176; error (2 - 2.8571176)^2 = 0.7346506; weight 2 doubles the loss
    loss, per_sample, info = sql_loss(torch.tensor([2.0]), torch.tensor([[1.0, 2.0]]), torch.tensor([1.0]),
                                      torch.tensor([0.9]), 0.5, weight=torch.tensor([2.0]))
    assert info["target_q_value"].item() == pytest.approx(2.8571176, abs=1e-6)
    assert per_sample.item() == pytest.approx(0.7346506, abs=1e-6)
    assert loss.item() == pytest.approx(2 * 0.7346506, abs=1e-6)


def test_munchausen_term_is_the_clipped_scaled_log_policy_of_the_taken_action():
    # tau*log pi at s for Q=[1, 0], tau=1: [0, -1] - log(1 + e^-1) = [-0.3132617, -1.3132617]; action 1 -> clipped
    # to -1, times m_alpha 0.9 = -0.9. Bootstrap at Q'=[0, 0]: pi=[.5, .5], value sum pi (Q' - log pi) = log 2.
    # target = 1 - 0.9 + 0.5 * log 2 = 0.4465736; q_taken 0 -> error 0.1994280
    _, per_sample, info = munchausen_loss(torch.tensor([0.0]), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]]),
                                             torch.tensor([1]), torch.tensor([1.0]), torch.tensor([0.5]), 1.0, 0.9)
    assert info["target_q_value"].item() == pytest.approx(0.1 + 0.5 * math.log(2), abs=1e-6)
    assert per_sample.item() == pytest.approx((0.1 + 0.5 * math.log(2)) ** 2, abs=1e-6)
    assert info["clip_frac"].item() == 1.0 and info["action_gap"].item() == pytest.approx(1.0)
    # action 0's bonus -0.3132617 is not clipped: target = 1 + 0.9 * -0.3132617 + 0.5 * log 2
    _, _, unclipped = munchausen_loss(torch.tensor([0.0]), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]]),
                                      torch.tensor([0]), torch.tensor([1.0]), torch.tensor([0.5]), 1.0, 0.9)
    assert unclipped["target_q_value"].item() == pytest.approx(1 - 0.9 * 0.3132617 + 0.5 * math.log(2), abs=1e-6)
    assert unclipped["clip_frac"].item() == 0.0


def test_fqf_fraction_loss_is_the_w1_gradient_times_each_inner_fraction():
    taus = torch.tensor([[0.0, 0.3, 1.0]], requires_grad=True)
    mid = torch.tensor([[1.0, 3.0]])
    # monotone: (2.5 - 1) + (2.5 - 3) = 1.0 -> loss 1.0 * 0.3
    loss = fqf_fraction_loss(torch.tensor([[2.5]]), mid, taus)
    assert loss.item() == pytest.approx(0.3)
    loss.backward()
    assert taus.grad.tolist() == [[0.0, 1.0, 0.0]]  # only the inner fraction moves, by the W1 gradient
    # F^-1(tau_1)=0.5 below F^-1(tau_hat_0)=1: the first half flips sign, -(0.5 - 1) + (0.5 - 3) = -2.0
    assert fqf_fraction_loss(torch.tensor([[0.5]]), mid, taus).item() == pytest.approx(-0.6)


def test_d4pg_critic_is_the_cross_entropy_to_the_projected_target():
    # support [-1, 0, 1]; all mass at 0 moves to 0.5 -> half on 0, half on 1; uniform logits: -log(1/3) each
    loss, per_sample, _ = d4pg_critic_loss(torch.zeros(1, 3), torch.tensor([[0.0, 1.0, 0.0]]), torch.tensor([0.5]),
                                           torch.tensor([1.0]), -1.0, 1.0)
    assert per_sample.item() == pytest.approx(math.log(3), abs=1e-6)
    # logits putting p=[.25, .25, .5]: CE = -(.5 log .25 + .5 log .5) = 1.0397208
    logits = torch.log(torch.tensor([[0.25, 0.25, 0.5]]))
    loss, _, _ = d4pg_critic_loss(logits, torch.tensor([[0.0, 1.0, 0.0]]), torch.tensor([0.5]), torch.tensor([1.0]),
                                  -1.0, 1.0)
    assert loss.item() == pytest.approx(1.0397208, abs=1e-6)


def test_bdq_branches_share_the_state_value_around_their_own_mean_advantage():
    q = branch_q_values(torch.tensor([[1.0]]), torch.tensor([[[1.0, 3.0], [0.0, 0.0]]]))
    assert q.tolist() == [[[0.0, 2.0], [1.0, 1.0]]]


def test_stdim_infonce_scores_each_successor_against_the_other_samples():
    # x = [1, 0], y = [1, 2] (one head, width 1). Sample 0: positive 1*1, negatives x_1*y_0 = 0 and -10 (itself);
    # sample 1: positive 0*2, negatives x_0*y_1 = 2 and -10. Loss = mean of -log softmax(positive).
    x, y = torch.tensor([[[1.0]], [[0.0]]]), torch.tensor([[[1.0]], [[2.0]]])
    tiny = math.exp(-10)
    expected = 0.5 * ((math.log(math.e + 1 + tiny) - 1) + math.log(1 + math.exp(2) + tiny))
    assert infonce_loss(x, y).item() == pytest.approx(expected, abs=1e-6)
    assert infonce_loss(x, y, temperature=2.0).item() == pytest.approx(  # scores doubled before the softmax
        0.5 * ((math.log(math.exp(2) + 1 + math.exp(-20)) - 2) + math.log(1 + math.exp(4) + math.exp(-20))), abs=1e-6)


def test_sqn_bootstraps_the_smaller_target_q_softly_and_steers_alpha_to_the_target_entropy():
    # min(Q0', Q1') = [0, 0], alpha = 1: pi = [.5, .5], soft value sum pi (Q' - log pi) = log 2;
    # target = 1 + 0.5 log 2 = 1.3465736; Q loss = (0 - t)^2 + (1 - t)^2; entropy log 2 -> d alpha_loss/d log_alpha
    # = log 2 - 0.2
    log_alpha = torch.zeros(1, requires_grad=True)
    q_loss, alpha_loss, info = sqn_losses(torch.tensor([0.0]), torch.tensor([1.0]), torch.tensor([[0.0, 0.0]]),
                                          torch.tensor([[1.0, 1.0]]), torch.tensor([1.0]), torch.tensor([0.5]),
                                          log_alpha, 0.2)
    target = 1 + 0.5 * math.log(2)
    assert info["target_q_value"].item() == pytest.approx(target, abs=1e-6)
    assert q_loss.item() == pytest.approx(target ** 2 + (1 - target) ** 2, abs=1e-6)
    alpha_loss.backward()
    assert log_alpha.grad.item() == pytest.approx(math.log(2) - 0.2, abs=1e-6)
