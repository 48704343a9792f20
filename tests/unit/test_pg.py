"""REINFORCE: per-episode discounted returns and baselines by hand."""

import copy

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from ding_lite.policy.pg import PGPolicy


def policy(**learn) -> PGPolicy:
    cfg = copy.deepcopy(PGPolicy.default_config())
    cfg["learn"].update(learn)
    cfg["collect"]["discount_factor"] = 0.5
    return PGPolicy(cfg, seed=0)


def episode(rewards, truncated=False):
    n = len(rewards)
    obs = np.arange(n * 4, dtype=np.float32).reshape(n, 4)
    return {"obs": obs, "final_obs": obs + 1, "action": np.zeros(n, np.int64),
            "reward": np.asarray(rewards, np.float32), "terminated": np.array([False] * (n - 1) + [not truncated]),
            "truncated": np.array([False] * (n - 1) + [truncated])}


def test_returns_are_discounted_within_each_episode_only() -> None:
    data = policy().process_rollout([episode([1.0, 1.0, 1.0]), episode([2.0, 4.0])])
    # episode 1: G = 1 + .5(1 + .5*1) = 1.75, 1.5, 1; episode 2: 2 + .5*4 = 4, 4
    assert_close(data["ret"], torch.tensor([1.75, 1.5, 1.0, 4.0, 4.0]))
    assert_close(data["adv"], data["ret"])


def test_mean_baseline_and_normalisation() -> None:
    data = policy(baseline="mean").process_rollout([episode([1.0, 1.0, 1.0]), episode([2.0, 4.0])])
    assert_close(data["adv"], data["ret"] - 2.45)
    data = policy(adv_norm=True).process_rollout([episode([1.0, 1.0, 1.0]), episode([2.0, 4.0])])
    assert data["adv"].mean().item() == pytest.approx(0.0, abs=1e-6)
    assert data["adv"].std().item() == pytest.approx(1.0, abs=1e-5)


def test_value_baseline_bootstraps_a_truncated_episode_from_its_final_observation() -> None:
    p = policy(baseline="value")
    ep = episode([1.0, 1.0], truncated=True)
    data = p.process_rollout([ep])
    with torch.no_grad():
        v_final = p.model.value(torch.from_numpy(ep["final_obs"][-1:]))[0].item()
        values = p.model.value(torch.from_numpy(ep["obs"]))
    g1 = 1.0 + 0.5 * v_final
    assert_close(data["ret"], torch.tensor([1.0 + 0.5 * g1, g1]))
    assert_close(data["adv"], data["ret"] - values)


def test_learn_step_updates_only_the_actor_without_a_value_baseline() -> None:
    p = policy()
    critic_before = [t.clone() for t in p.model.critic.parameters()]
    data = p.process_rollout([episode([1.0, 1.0, 1.0]), episode([2.0, 4.0])])
    info = p.learn_step(next(p.train_batches(data)))
    assert np.isfinite(info["total_loss"])
    assert all(torch.equal(a, b) for a, b in zip(critic_before, p.model.critic.parameters(), strict=True))
