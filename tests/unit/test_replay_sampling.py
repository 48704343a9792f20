"""DI-engine's buffer types and max_use, by value: how a minibatch is drawn and when a transition leaves."""
import numpy as np
import pytest
import torch

from ding_lite.data.prioritized import PrioritizedReplayBuffer
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.data.sampling import Draws


def filled(n: int, capacity: int, kind: str | None, max_use: int | None = None, cls=ReplayBuffer) -> ReplayBuffer:
    """``n`` one-env transitions pushed in rollouts of at most 50."""
    buf = cls(capacity, (1,))
    if kind is not None:
        buf.draws = Draws(kind, capacity, max_use)
    for start in range(0, n, 50):
        obs = np.arange(start, min(n, start + 50), dtype=np.float32).reshape(-1, 1, 1)
        buf.push({"obs": obs, "final_obs": obs + 1, "action": np.zeros((len(obs), 1), np.int64),
                  "reward": np.zeros((len(obs), 1), np.float32), "terminated": np.zeros((len(obs), 1), bool),
                  "truncated": np.zeros((len(obs), 1), bool)})
    return buf


def test_uniform_draws_are_the_old_independent_draws_bit_for_bit() -> None:
    a, b = filled(50, 64, None), filled(50, 64, "uniform", max_use=None)
    ga, gb = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert np.array_equal(a.sample_numbers(32, ga), b.sample_numbers(32, gb))


def test_advanced_draws_one_transition_per_stratum_of_the_slots() -> None:
    buf = filled(100, 100, "advanced")
    numbers = buf.sample_numbers(10, torch.Generator().manual_seed(0))
    assert (numbers // 10).tolist() == list(range(10))  # draw k falls in slots [10k, 10k + 10)


def test_advanced_follows_slot_order_once_the_ring_wrapped() -> None:
    buf = filled(150, 100, "advanced")  # numbers 50..149 in slots 50..99, 0..49
    numbers = buf.sample_numbers(2, torch.Generator().manual_seed(0))
    assert 100 <= numbers[0] < 150 and 50 <= numbers[1] < 100  # slots 0..49 hold the newest half


@pytest.mark.parametrize("kind", ["naive", "deque"])
def test_naive_and_deque_draw_without_replacement_within_a_batch(kind) -> None:
    buf = filled(8, 8, kind)
    for seed in range(20):
        assert sorted(buf.sample_numbers(8, torch.Generator().manual_seed(seed)).tolist()) == list(range(8))


def test_max_use_drops_a_transition_after_that_many_draws_and_a_push_reuses_its_slot() -> None:
    buf = filled(4, 4, "deque", max_use=2)
    gen = torch.Generator().manual_seed(0)
    assert sorted(buf.sample_numbers(4, gen).tolist()) == [0, 1, 2, 3]
    assert sorted(buf.sample_numbers(4, gen).tolist()) == [0, 1, 2, 3]
    assert buf.sample_numbers(1, gen) is None  # every transition drawn twice: DI-engine's buffer is empty
    assert buf.sample(1, 1, 0.99, gen) is None
    state = buf.draws.state_dict()  # the policy registers the counts with its learn state
    assert state["uses"].tolist() == [2, 2, 2, 2] and state["seen"] == 4
    other = filled(4, 4, "deque", max_use=2)
    other.draws.load_state_dict(state)
    assert other.sample_numbers(1, gen) is None
    obs = np.full((1, 1, 1), 9, np.float32)
    buf.push({"obs": obs, "final_obs": obs, "action": np.zeros((1, 1), np.int64), "reward": np.zeros((1, 1), np.float32),
              "terminated": np.zeros((1, 1), bool), "truncated": np.zeros((1, 1), bool)})
    assert buf.sample_numbers(1, gen).tolist() == [4]  # the new transition took slot 0 with a fresh count


def test_prioritized_max_use_takes_exhausted_transitions_out_of_the_trees() -> None:
    buf = filled(4, 4, "advanced", max_use=1, cls=PrioritizedReplayBuffer)
    gen = torch.Generator().manual_seed(0)
    batch = buf.sample(2, 1, 0.99, gen)
    first = batch["numbers"].numpy()
    assert np.isfinite(batch["weight"].numpy()).all()  # weighted as drawn, then taken out
    buf.update_priorities(first, np.array([5.0, 5.0]))  # an exhausted transition's priority stays zero
    assert buf._sum[first % 4].tolist() == [0.0, 0.0]
    second = buf.sample(2, 1, 0.99, gen)["numbers"].numpy()
    assert not set(first.tolist()) & set(second.tolist())
    assert buf.sample(1, 1, 0.99, gen) is None
