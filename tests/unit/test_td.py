"""n-step TD targets and double-Q checked against hand-computed values."""

import pytest
import torch
from torch.testing import assert_close

from ding_lite.rl_utils import greedy_target_value, nstep_return, td_target

TOL = {"rtol": 1e-6, "atol": 1e-6}
T, F = True, False


def run(rewards, terminated, truncated, available, gamma=0.5, ignore_done=False):
    return nstep_return(torch.tensor(rewards), torch.tensor(terminated), torch.tensor(truncated),
                        torch.tensor(available), gamma, ignore_done)


def test_full_window_discounts_every_step_and_bootstraps_with_gamma_n() -> None:
    ret, discount, last = run([[1.0, 2.0, 4.0]], [[F, F, F]], [[F, F, F]], [[T, T, T]])
    assert_close(ret, torch.tensor([1 + 0.5 * 2 + 0.25 * 4]), **TOL)  # 3.0
    assert_close(discount, torch.tensor([0.125]), **TOL)
    assert last.tolist() == [2]


def test_termination_inside_the_window_stops_it_and_does_not_bootstrap() -> None:
    # the episode terminates at step 1: step 2 belongs to the next episode and must not count
    ret, discount, last = run([[1.0, 2.0, 100.0]], [[F, T, F]], [[F, F, F]], [[T, T, T]])
    assert_close(ret, torch.tensor([2.0]), **TOL)
    assert_close(discount, torch.tensor([0.0]), **TOL)
    assert last.tolist() == [1]


def test_truncation_inside_the_window_stops_it_but_bootstraps_from_the_final_obs() -> None:
    ret, discount, last = run([[1.0, 2.0, 100.0]], [[F, F, F]], [[F, T, F]], [[T, T, T]])
    assert_close(ret, torch.tensor([2.0]), **TOL)
    assert_close(discount, torch.tensor([0.25]), **TOL)  # gamma^2: two rewards were summed
    assert last.tolist() == [1]


def test_termination_on_the_first_step_is_a_one_step_terminal_target() -> None:
    ret, discount, last = run([[3.0, 100.0, 100.0]], [[T, F, F]], [[F, F, F]], [[T, T, T]])
    assert_close(ret, torch.tensor([3.0]), **TOL)
    assert_close(discount, torch.tensor([0.0]), **TOL)
    assert last.tolist() == [0]


def test_termination_on_the_last_step_of_a_full_window() -> None:
    ret, discount, _ = run([[1.0, 2.0, 4.0]], [[F, F, T]], [[F, F, F]], [[T, T, T]])
    assert_close(ret, torch.tensor([3.0]), **TOL)
    assert_close(discount, torch.tensor([0.0]), **TOL)


def test_window_running_past_the_newest_data_bootstraps_early() -> None:
    ret, discount, last = run([[1.0, 2.0, 100.0]], [[F, F, F]], [[F, F, F]], [[T, T, F]])
    assert_close(ret, torch.tensor([2.0]), **TOL)
    assert_close(discount, torch.tensor([0.25]), **TOL)
    assert last.tolist() == [1]


def test_ignore_done_bootstraps_through_a_termination_but_still_stops_the_window() -> None:
    ret, discount, last = run([[1.0, 2.0, 100.0]], [[F, T, F]], [[F, F, F]], [[T, T, T]], ignore_done=True)
    assert_close(ret, torch.tensor([2.0]), **TOL)
    assert_close(discount, torch.tensor([0.25]), **TOL)
    assert last.tolist() == [1]


def test_one_step_batch_matches_the_textbook_target() -> None:
    rewards = [[1.0], [2.0], [3.0]]
    ret, discount, last = run(rewards, [[F], [T], [F]], [[F], [F], [T]], [[T], [T], [T]], gamma=0.9)
    assert_close(ret, torch.tensor([1.0, 2.0, 3.0]), **TOL)
    assert_close(discount, torch.tensor([0.9, 0.0, 0.9]), **TOL)
    assert last.tolist() == [0, 0, 0]


def test_first_step_must_be_available() -> None:
    with pytest.raises(ValueError, match="first step"):
        run([[1.0, 2.0]], [[F, F]], [[F, F]], [[F, T]])


def test_shape_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="terminated"):
        nstep_return(torch.zeros(2, 3), torch.zeros(2, 2, dtype=torch.bool), torch.zeros(2, 3, dtype=torch.bool),
                     torch.ones(2, 3, dtype=torch.bool), 0.9)


def test_double_q_takes_the_online_argmax_valued_by_the_target_net() -> None:
    next_q_target = torch.tensor([[1.0, 5.0], [3.0, 2.0]])
    next_q_online = torch.tensor([[2.0, 1.0], [0.0, 4.0]])
    assert_close(greedy_target_value(next_q_target, next_q_online), torch.tensor([1.0, 2.0]), **TOL)
    assert_close(greedy_target_value(next_q_target), torch.tensor([5.0, 3.0]), **TOL)


def test_td_target_combines_and_detaches() -> None:
    value = torch.tensor([10.0, 20.0], requires_grad=True)
    target = td_target(torch.tensor([1.0, 2.0]), torch.tensor([0.5, 0.0]), value)
    assert_close(target, torch.tensor([6.0, 2.0]), **TOL)
    assert not target.requires_grad
