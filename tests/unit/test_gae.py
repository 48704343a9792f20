"""GAE checked against hand arithmetic and an independent plain-python reference."""

import random

import pytest
import torch
from torch.testing import assert_close

from ding_lite.rl_utils import gae

TOL = {"rtol": 1e-6, "atol": 1e-6}


def col(*xs: float) -> torch.Tensor:
    return torch.tensor(xs, dtype=torch.float32).unsqueeze(1)  # [T, 1]


REW = col(1.0, 2.0, 3.0)
VAL = col(0.5, 1.0, 1.5)
# next_values[1] = 4.0 is V(final obs) of the episode that ends at t=1.
NEXT = col(1.0, 4.0, 2.0)
ZERO = col(0.0, 0.0, 0.0)
END_AT_1 = col(0.0, 1.0, 0.0)


def test_termination_in_the_middle_does_not_bootstrap_or_propagate() -> None:
    gamma, lam = 0.9, 0.8
    adv, ret = gae(REW, VAL, NEXT, END_AT_1, ZERO, gamma, lam)
    d0 = 1.0 + 0.9 * 1.0 - 0.5  # 1.4
    d1 = 2.0 + 0.0 - 1.0  # 1.0: terminated, V(final obs)=4.0 ignored
    d2 = 3.0 + 0.9 * 2.0 - 1.5  # 3.3: last row bootstraps through next_values only
    a2 = d2  # 3.3
    a1 = d1  # 1.0: episode ended, A_2 not carried back
    a0 = d0 + 0.9 * 0.8 * a1  # 1.4 + 0.72 = 2.12
    assert_close(adv, col(a0, a1, a2), **TOL)
    assert_close(adv, col(2.12, 1.0, 3.3), **TOL)
    assert_close(ret, col(2.62, 2.0, 4.8), **TOL)


def test_truncation_bootstraps_from_next_values_but_stops_recursion() -> None:
    gamma, lam = 0.9, 0.8
    adv, ret = gae(REW, VAL, NEXT, ZERO, END_AT_1, gamma, lam)
    d1 = 2.0 + 0.9 * 4.0 - 1.0  # 4.6: truncated, bootstraps from V(final obs)
    a2 = 3.3
    a1 = d1  # 4.6
    a0 = 1.4 + 0.72 * a1  # 1.4 + 3.312 = 4.712
    assert_close(adv, col(a0, a1, a2), **TOL)
    assert_close(ret, col(5.212, 5.6, 4.8), **TOL)


def test_no_done_propagates_over_all_steps_and_columns_are_independent() -> None:
    # Column 0: terminated at t=1 (case above); column 1: no episode end.
    rew = torch.cat([REW, REW], dim=1)
    val = torch.cat([VAL, VAL], dim=1)
    nxt = torch.cat([NEXT, col(1.0, 1.5, 2.0)], dim=1)
    term = torch.cat([END_AT_1, ZERO], dim=1)
    adv, ret = gae(rew, val, nxt, term, torch.zeros_like(term), 0.9, 0.8)
    d1 = 2.0 + 0.9 * 1.5 - 1.0  # 2.35
    a2 = 3.3
    a1 = d1 + 0.72 * a2  # 2.35 + 2.376 = 4.726
    a0 = 1.4 + 0.72 * a1  # 1.4 + 3.40272 = 4.80272
    expected = torch.tensor([[2.12, a0], [1.0, a1], [3.3, a2]])
    assert_close(adv, expected, **TOL)
    assert_close(ret, expected + val, **TOL)


def test_terminated_and_truncated_together_count_as_terminated() -> None:
    adv, _ = gae(REW, VAL, NEXT, END_AT_1, END_AT_1, 0.9, 0.8)
    assert_close(adv, col(2.12, 1.0, 3.3), **TOL)


def test_bool_and_float_flags_agree() -> None:
    a_f, r_f = gae(REW, VAL, NEXT, END_AT_1, ZERO, 0.9, 0.8)
    a_b, r_b = gae(REW, VAL, NEXT, END_AT_1.bool(), ZERO.bool(), 0.9, 0.8)
    assert_close(a_b, a_f, **TOL)
    assert_close(r_b, r_f, **TOL)


def test_lambda_one_and_zero_limits() -> None:
    d1 = 2.0 + 0.9 * 4.0 - 1.0  # 4.6 (no episode end here)
    # lam=0: advantage is the one-step TD error.
    adv0, _ = gae(REW, VAL, NEXT, ZERO, ZERO, 0.9, 0.0)
    assert_close(adv0, col(1.4, d1, 3.3), **TOL)
    # lam=1: gamma-discounted sum of TD errors.
    a1 = d1 + 0.9 * 3.3  # 7.57
    a0 = 1.4 + 0.9 * a1  # 8.213
    adv1, _ = gae(REW, VAL, NEXT, ZERO, ZERO, 0.9, 1.0)
    assert_close(adv1, col(a0, a1, 3.3), **TOL)


def ref_gae(r, v, nv, term, trunc, gamma, lam):
    """Plain python loops, float64, one env at a time."""
    T, N = len(r), len(r[0])
    adv = [[0.0] * N for _ in range(T)]
    for n in range(N):
        nxt_adv = 0.0
        for t in reversed(range(T)):
            boot = 0.0 if term[t][n] else gamma * nv[t][n]
            delta = r[t][n] + boot - v[t][n]
            if term[t][n] or trunc[t][n]:
                nxt_adv = 0.0
            nxt_adv = delta + gamma * lam * nxt_adv
            adv[t][n] = nxt_adv
    ret = [[adv[t][n] + v[t][n] for n in range(N)] for t in range(T)]
    return adv, ret


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_slow_reference_on_random_data(seed: int) -> None:
    rng = random.Random(seed)
    T, N, gamma, lam = 17, 3, 0.97, 0.9
    r = [[rng.uniform(-1, 1) for _ in range(N)] for _ in range(T)]
    v = [[rng.uniform(-2, 2) for _ in range(N)] for _ in range(T)]
    nv = [[rng.uniform(-2, 2) for _ in range(N)] for _ in range(T)]
    term = [[rng.random() < 0.15 for _ in range(N)] for _ in range(T)]
    trunc = [[rng.random() < 0.15 for _ in range(N)] for _ in range(T)]
    assert any(map(any, term)) and any(map(any, trunc))
    exp_adv, exp_ret = ref_gae(r, v, nv, term, trunc, gamma, lam)

    def f32(x):
        return torch.tensor(x, dtype=torch.float32)

    adv, ret = gae(f32(r), f32(v), f32(nv), torch.tensor(term), torch.tensor(trunc), gamma, lam)
    assert adv.shape == (T, N) and adv.dtype == torch.float32
    assert_close(adv, f32(exp_adv), rtol=1e-5, atol=1e-5)
    assert_close(ret, f32(exp_ret), rtol=1e-5, atol=1e-5)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="next_values"):
        gae(REW, VAL, NEXT[:2], ZERO, ZERO, 0.9, 0.8)
