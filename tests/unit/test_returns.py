"""Discounted returns checked by hand and against a plain-python reference."""

import random

import pytest
import torch
from torch.testing import assert_close

from ding_lite.rl_utils import discounted_returns

TOL = {"rtol": 1e-6, "atol": 1e-6}
REW = torch.tensor([1.0, 2.0, 3.0, 4.0])


def test_done_resets_the_sum() -> None:
    dones = torch.tensor([0.0, 1.0, 0.0, 0.0])
    g3 = 4.0
    g2 = 3.0 + 0.5 * g3  # 5.0
    g1 = 2.0  # episode ends at t=1: G_2 not carried back
    g0 = 1.0 + 0.5 * g1  # 2.0
    assert_close(discounted_returns(REW, dones, 0.5), torch.tensor([g0, g1, g2, g3]), **TOL)


def test_last_value_bootstraps_an_unfinished_tail() -> None:
    dones = torch.tensor([False, True, False, False])
    out = discounted_returns(REW, dones, 0.5, last_value=10.0)
    # G_3 = 4 + 0.5*10 = 9, G_2 = 3 + 0.5*9 = 7.5, G_1 = 2, G_0 = 1 + 0.5*2 = 2
    assert_close(out, torch.tensor([2.0, 2.0, 7.5, 9.0]), **TOL)


def test_last_value_ignored_when_last_step_is_done() -> None:
    dones = torch.tensor([0.0, 0.0, 0.0, 1.0])
    out = discounted_returns(REW, dones, 0.5, last_value=10.0)
    # G_3 = 4, G_2 = 3 + 2 = 5, G_1 = 2 + 2.5 = 4.5, G_0 = 1 + 2.25 = 3.25
    assert_close(out, torch.tensor([3.25, 4.5, 5.0, 4.0]), **TOL)


def test_time_major_batch_with_per_env_last_value() -> None:
    rew = torch.tensor([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    dones = torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    out = discounted_returns(rew, dones, 0.9, last_value=torch.tensor([2.0, 5.0]))
    # env 0: G_2 = 1 + 0.9*2 = 2.8, G_1 = 1 + 0.9*2.8 = 3.52, G_0 = 1 + 0.9*3.52 = 4.168
    # env 1: G_2 = 1 + 0.9*5 = 5.5, G_1 = 1 (done), G_0 = 1 + 0.9 = 1.9
    expected = torch.tensor([[4.168, 1.9], [3.52, 1.0], [2.8, 5.5]])
    assert_close(out, expected, **TOL)


def ref_returns(r, d, gamma):
    T, N = len(r), len(r[0])
    out = [[0.0] * N for _ in range(T)]
    for n in range(N):
        g = 0.0
        for t in reversed(range(T)):
            g = r[t][n] + (0.0 if d[t][n] else gamma * g)
            out[t][n] = g
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_slow_reference_on_random_data(seed: int) -> None:
    rng = random.Random(seed)
    T, N = 17, 3
    r = [[rng.uniform(-1, 1) for _ in range(N)] for _ in range(T)]
    d = [[rng.random() < 0.2 for _ in range(N)] for _ in range(T)]
    out = discounted_returns(torch.tensor(r), torch.tensor(d), 0.95)
    assert_close(out, torch.tensor(ref_returns(r, d, 0.95)), rtol=1e-5, atol=1e-5)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="dones"):
        discounted_returns(REW, torch.zeros(3), 0.5)
