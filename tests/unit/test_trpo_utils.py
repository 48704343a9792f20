"""TRPO's conjugate gradient, KL divergences and backtracking line search checked by value."""

import math
from collections.abc import Callable

import torch
from torch.distributions import Categorical, Normal, kl_divergence
from torch.testing import assert_close

from ding_lite.rl_utils import backtracking_line_search, categorical_kl, conjugate_gradient, diag_gaussian_kl

TOL = {"rtol": 1e-6, "atol": 1e-6}


def _counting(matrix: torch.Tensor) -> tuple[list[int], Callable[[torch.Tensor], torch.Tensor]]:
    calls = [0]

    def fvp(v: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        return matrix @ v

    return calls, fvp


def test_cg_solves_a_2x2_system_exactly_in_two_steps() -> None:
    a = torch.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    calls, fvp = _counting(a)
    x = conjugate_gradient(fvp, torch.tensor([1.0, 2.0], dtype=torch.float64), iters=10)
    assert_close(x, torch.tensor([1 / 11, 7 / 11], dtype=torch.float64), rtol=1e-12, atol=1e-12)
    assert calls[0] == 2  # the residual is zero after two steps, so the loop stops


def test_cg_one_step_is_the_exact_steepest_descent_step() -> None:
    a = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
    b = torch.tensor([1.0, 2.0])
    # A b = [6, 7]; step = b.b / b.Ab = 5 / 20
    x = conjugate_gradient(lambda v: a @ v, b, iters=1)
    assert_close(x, torch.tensor([0.25, 0.5]), **TOL)


def test_cg_matches_linalg_solve_on_a_spd_system() -> None:
    gen = torch.Generator().manual_seed(0)
    m = torch.randn(6, 6, generator=gen, dtype=torch.float64)
    a = m @ m.T + 6.0 * torch.eye(6, dtype=torch.float64)
    b = torch.randn(6, generator=gen, dtype=torch.float64)
    x = conjugate_gradient(lambda v: a @ v, b, iters=6)
    assert_close(x, torch.linalg.solve(a, b), rtol=1e-9, atol=1e-9)


def test_cg_with_a_zero_right_hand_side_never_calls_the_product() -> None:
    calls, fvp = _counting(torch.eye(3))
    x = conjugate_gradient(fvp, torch.zeros(3), iters=10)
    assert_close(x, torch.zeros(3), **TOL)
    assert calls[0] == 0


def test_categorical_kl_by_hand_and_against_torch() -> None:
    old = torch.log(torch.tensor([[0.5, 0.5], [0.2, 0.8]]))
    new = torch.log(torch.tensor([[0.25, 0.75], [0.2, 0.8]])) + 1.0  # logits, any shift
    # row 0: 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75) = 0.5 log(4/3); row 1 identical: 0
    assert_close(categorical_kl(old, new), torch.tensor(0.25 * math.log(4 / 3)), **TOL)
    gen = torch.Generator().manual_seed(1)
    old, new = torch.randn(4, 5, generator=gen), torch.randn(4, 5, generator=gen)
    expected = kl_divergence(Categorical(logits=old), Categorical(logits=new)).mean()
    assert_close(categorical_kl(old, new), expected, **TOL)


def test_diag_gaussian_kl_by_hand_and_against_torch() -> None:
    zeros = torch.zeros(1, 2)
    new_mean, new_log_std = torch.tensor([[1.0, 0.0]]), torch.tensor([[math.log(2.0), 0.0]])
    # dim 0: log 2 + (1 + 1) / (2 * 4) - 1/2; dim 1 identical: 0
    assert_close(diag_gaussian_kl(zeros, zeros, new_mean, new_log_std), torch.tensor(math.log(2.0) - 0.25), **TOL)
    gen = torch.Generator().manual_seed(2)
    m0, s0, m1, s1 = (torch.randn(3, 4, generator=gen, dtype=torch.float64) for _ in range(4))
    expected = kl_divergence(Normal(m0, s0.exp()), Normal(m1, s1.exp())).sum(-1).mean()
    assert_close(diag_gaussian_kl(m0, s0, m1, s1), expected, rtol=1e-12, atol=1e-12)


def _quadratic(calls: list[float] | None = None):
    """Parameters start at 0; loss (x - 1)^2 (1 before the step), KL x^2 / 2."""

    def f_loss_kl(step: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = step.sum()
        if calls is not None:
            calls.append(float(x))
        return (x - 1.0) ** 2, x ** 2 / 2

    return f_loss_kl


def test_line_search_rejects_an_equal_loss_and_accepts_kl_at_the_limit() -> None:
    calls: list[float] = []
    # x = 4: loss 9; x = 2: loss 1, not below 1; x = 1: loss 0 and kl 0.5 == max_kl
    scale = backtracking_line_search(_quadratic(calls), torch.tensor([4.0]), expected_improve=8.0, max_kl=0.5,
                                     backtrack_ratio=0.5, max_backtracks=10)
    assert scale == 0.25
    assert calls == [0.0, 4.0, 2.0, 1.0]  # the loss before, then one evaluation per scale tried


def test_line_search_shrinks_until_the_kl_fits() -> None:
    # x = 1: kl 0.5; x = 0.5: kl 0.125; x = 0.25: kl 0.03125 <= 0.1 and loss 0.5625 < 1
    scale = backtracking_line_search(_quadratic(), torch.tensor([1.0]), 2.0, max_kl=0.1, backtrack_ratio=0.5)
    assert scale == 0.25


def test_line_search_returns_zero_when_no_step_improves() -> None:
    calls: list[float] = []
    scale = backtracking_line_search(_quadratic(calls), torch.tensor([-1.0]), 2.0, max_kl=10.0,
                                     backtrack_ratio=0.5, max_backtracks=4)
    assert scale == 0.0
    assert calls == [0.0, -1.0, -0.5, -0.25, -0.125]


def test_line_search_never_accepts_nan() -> None:
    def f_loss_kl(step: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.tensor(1.0), torch.tensor(0.0)) if not step.any() else (torch.tensor(math.nan),) * 2

    assert backtracking_line_search(f_loss_kl, torch.ones(2), 1.0, max_kl=1.0) == 0.0


def test_line_search_accept_ratio_demands_a_share_of_the_expected_improvement() -> None:
    # gradient -2 at 0, full step 1: expected improvement 2 (times the scale)
    # scale 1: improvement 1 <= 0.9*2; 0.5: 0.75 <= 0.9; 0.25: 0.4375 <= 0.45; 0.125: 0.234375 > 0.225
    scale = backtracking_line_search(_quadratic(), torch.tensor([1.0]), 2.0, max_kl=10.0, backtrack_ratio=0.5,
                                     accept_ratio=0.9)
    assert scale == 0.125
