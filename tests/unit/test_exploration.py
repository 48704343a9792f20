"""Epsilon schedules against DI-engine's formulas, by value."""

import math

import pytest

from ding_lite.rl_utils import get_epsilon_greedy_fn


def test_exp_schedule() -> None:
    eps = get_epsilon_greedy_fn(0.95, 0.1, 10000, "exp")
    assert eps(0) == pytest.approx(0.95)
    assert eps(10000) == pytest.approx(0.1 + 0.85 / math.e)  # 0.41270...
    assert eps(5000) == pytest.approx(0.1 + 0.85 * math.exp(-0.5))
    assert eps(10**9) == pytest.approx(0.1)


def test_linear_schedule_reaches_end_at_decay_and_stays() -> None:
    eps = get_epsilon_greedy_fn(1.0, 0.1, 1000, "linear")
    assert eps(0) == pytest.approx(1.0)
    assert eps(500) == pytest.approx(0.55)
    assert eps(1000) == pytest.approx(0.1)
    assert eps(5000) == pytest.approx(0.1)


def test_unknown_type_and_bad_decay_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown epsilon schedule"):
        get_epsilon_greedy_fn(1.0, 0.1, 100, "cosine")
    with pytest.raises(ValueError, match="decay"):
        get_epsilon_greedy_fn(1.0, 0.1, 0, "exp")
