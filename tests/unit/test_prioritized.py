"""Prioritized replay: proportional sampling, IS weights, priority updates and an exact state round trip."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ding_lite.data.prioritized import PRIORITY_EPS, PrioritizedReplayBuffer


def rollout(T: int, N: int = 2) -> dict[str, np.ndarray]:
    obs = np.arange(T * N * 2, dtype=np.float32).reshape(T, N, 2)
    return {"obs": obs, "final_obs": obs + 1, "action": np.zeros((T, N), np.int64),
            "reward": np.ones((T, N), np.float32), "terminated": np.zeros((T, N), bool),
            "truncated": np.zeros((T, N), bool)}


def buffer(capacity: int = 8, **kw) -> PrioritizedReplayBuffer:
    return PrioritizedReplayBuffer(capacity, (2,), alpha=kw.pop("alpha", 1.0), beta=kw.pop("beta", 1.0), **kw)


def test_new_transitions_get_the_largest_priority_so_far():
    b = buffer()
    b.push(rollout(2))
    b.update_priorities(np.array([0, 1]), np.array([3.0, 0.5]))
    b.push(rollout(1))
    assert b._sum[np.arange(6)].tolist() == pytest.approx([3 + PRIORITY_EPS, 0.5 + PRIORITY_EPS, 1, 1,
                                                           3 + PRIORITY_EPS, 3 + PRIORITY_EPS])


def test_sampling_follows_the_priorities():
    b = buffer(alpha=1.0)
    b.push(rollout(2))
    b.update_priorities(np.arange(4), np.array([0.0, 0.0, 1.0, 3.0]) - PRIORITY_EPS + 1e-12)
    g = torch.Generator().manual_seed(0)
    counts = np.bincount(np.concatenate([b.sample(4, 1, 0.9, g)["numbers"].numpy() for _ in range(500)]),
                         minlength=4)
    assert counts[0] == counts[1] == 0
    assert counts[3] / counts[2] == pytest.approx(3.0, rel=0.1)


def test_importance_weights_by_hand():
    b = buffer(alpha=1.0, beta=0.5, anneal_step=0)
    b.push(rollout(1))  # two transitions
    b.update_priorities(np.array([0, 1]), np.array([1.0, 3.0]) - PRIORITY_EPS)
    batch = b.sample(2, 1, 0.9, torch.Generator().manual_seed(0))  # strata: one draw in each half of the mass
    probs = np.array([0.25, 0.75])[batch["numbers"].numpy()]
    weight = (2 * probs) ** -0.5 / (2 * 0.25) ** -0.5
    assert batch["weight"].numpy() == pytest.approx(weight.astype(np.float32))


def test_beta_anneals_to_one_over_anneal_step_samples():
    b = buffer(beta=0.4, anneal_step=10)
    b.push(rollout(2))
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        b.sample(2, 1, 0.9, g)
    assert b.beta == pytest.approx(0.7)
    for _ in range(10):
        b.sample(2, 1, 0.9, g)
    assert b.beta == 1.0


def test_overwritten_transitions_keep_no_stale_priority():
    b = buffer(capacity=4)
    b.push(rollout(2))  # numbers 0..3
    b.push(rollout(1))  # numbers 4, 5 overwrite slots 0, 1
    b.update_priorities(np.array([0, 4]), np.array([100.0, 2.0]))  # 0 is gone: only 4 is updated
    assert b._sum[np.array([0])].item() == pytest.approx(2.0 + PRIORITY_EPS)


def test_state_round_trip_continues_sampling_bit_for_bit():
    b = buffer(capacity=16, alpha=0.6, beta=0.4)
    g = torch.Generator().manual_seed(3)
    for _ in range(3):
        b.push(rollout(3))
        batch = b.sample(4, 2, 0.9, g)
        b.update_priorities(batch["numbers"].numpy(), np.arange(4.0))
    c = buffer(capacity=16, alpha=0.6, beta=0.4)
    c.load_state_dict(b.state_dict())
    g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    first, second = b.sample(8, 2, 0.9, g1), c.sample(8, 2, 0.9, g2)
    for key in first:
        assert torch.equal(first[key], second[key]), key


def test_a_uniform_side_file_loads_with_equal_priorities():
    from ding_lite.data.replay_buffer import ReplayBuffer

    uniform = ReplayBuffer(8, (2,))
    uniform.push(rollout(2))
    b = buffer()
    b.load_state_dict(uniform.state_dict())
    assert b._sum[np.arange(4)].tolist() == [1.0] * 4 and len(b) == 4
