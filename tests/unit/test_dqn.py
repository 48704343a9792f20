"""DQN policy contract: buffer threshold, epsilon counter, update counts, target updates, learn state."""

import copy

import numpy as np
import pytest
import torch

from ding_lite.config.compile import compile_config
from ding_lite.policy.dqn import DQNPolicy


def policy_cfg(**learn) -> dict:
    cfg = copy.deepcopy(DQNPolicy.default_config())
    cfg["learn"].update(batch_size=16, update_per_collect=4, **learn)
    cfg["model"].update(encoder_hidden_size_list=[16], dueling=False)
    cfg["other"]["replay_buffer"]["replay_buffer_size"] = 1000
    return cfg


def rollout(T: int, N: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(T, N, 4)).astype(np.float32)
    return {"obs": obs, "final_obs": np.concatenate([obs[1:], rng.normal(size=(1, N, 4)).astype(np.float32)]),
            "action": rng.integers(0, 2, (T, N)), "reward": np.ones((T, N), np.float32),
            "terminated": rng.random((T, N)) < 0.1, "truncated": np.zeros((T, N), bool)}


def test_training_waits_for_the_start_size_then_yields_update_per_collect_batches() -> None:
    cfg = policy_cfg()
    cfg["other"]["replay_buffer"]["replay_buffer_start_size"] = 40
    policy = DQNPolicy(cfg, seed=0)
    assert policy.process_rollout(rollout(2, 8, 0), None) is None  # 16 < 40
    assert policy.process_rollout(rollout(2, 8, 1), None) is None  # 32 < 40
    data = policy.process_rollout(rollout(2, 8, 2), None)  # 48 >= 40
    assert data is policy.replay_buffer and len(data) == 48
    batches = list(policy.train_batches(data))
    assert len(batches) == 4 and batches[0]["obs"].shape == (16, 4)
    info = policy.learn_step(batches[0])
    assert np.isfinite(info["total_loss"])


def test_epsilon_follows_the_envstep_counted_in_collect_forward() -> None:
    cfg = policy_cfg()
    cfg["other"]["eps"].update(type="linear", start=1.0, end=0.0, decay=100)
    cfg["random_collect_size"] = 16
    policy = DQNPolicy(cfg, seed=0)
    obs = np.zeros((8, 4), np.float32)
    assert policy.epsilon() == 1.0
    policy.collect_forward(obs)
    policy.collect_forward(obs)
    assert policy.collect_envstep == 16
    assert policy.epsilon() == pytest.approx(0.84)  # random collection over: the schedule at envstep 16
    state = policy.state_dict_learn()
    assert state["counters"]["collect_envstep"] == 16
    resumed = DQNPolicy(cfg, seed=5)
    resumed.load_state_dict_learn(state)
    assert resumed.collect_envstep == 16
    a, b = policy.collect_forward(obs), resumed.collect_forward(obs)
    assert np.array_equal(a["action"], b["action"])  # same generator state, same weights
    finetune = DQNPolicy(cfg, seed=5)
    finetune.load_state_dict_learn(state, restore_rng=False)
    assert finetune.collect_envstep == 0


def test_random_actions_where_epsilon_is_one_greedy_where_zero() -> None:
    cfg = policy_cfg()
    cfg["other"]["eps"].update(type="linear", start=0.0, end=0.0, decay=1)
    policy = DQNPolicy(cfg, seed=0)
    obs = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    greedy = policy.eval_forward(obs)
    assert np.array_equal(policy.collect_forward(obs)["action"], greedy)


def test_hard_target_update_every_freq_iterations() -> None:
    policy = DQNPolicy(policy_cfg(target_update_freq=3), seed=0)
    for s in range(3):
        policy.process_rollout(rollout(2, 8, s), None)
    batches = policy.train_batches(policy.replay_buffer)
    before = [p.clone() for p in policy.target_model.parameters()]
    policy.learn_step(next(batches))
    policy.learn_step(next(batches))
    assert all(torch.equal(a, b) for a, b in zip(before, policy.target_model.parameters(), strict=True))
    policy.learn_step(next(batches))
    assert all(torch.equal(a, b) for a, b in zip(policy.model.parameters(), policy.target_model.parameters(),
                                                 strict=True))


def test_soft_target_update_moves_by_theta() -> None:
    policy = DQNPolicy(policy_cfg(target_update_freq=0, target_theta=0.25), seed=0)
    for s in range(3):
        policy.process_rollout(rollout(2, 8, s), None)
    old_target = [p.clone() for p in policy.target_model.parameters()]
    policy.learn_step(next(policy.train_batches(policy.replay_buffer)))
    for old, new, online in zip(old_target, policy.target_model.parameters(), policy.model.parameters(), strict=True):
        torch.testing.assert_close(new, old + 0.25 * (online - old))


def test_dizoo_cartpole_dqn_keys_compile() -> None:
    user = dict(policy=dict(
        cuda=False, model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[128, 128, 64], dueling=True),
        nstep=1, discount_factor=0.97, learn=dict(batch_size=64, learning_rate=0.001, update_per_collect=5,
                                                  target_update_freq=100, ignore_done=False),
        collect=dict(n_sample=8), eval=dict(),
        other=dict(eps=dict(type='exp', start=0.95, end=0.1, decay=10000), replay_buffer=dict(replay_buffer_size=20000))))
    cfg = compile_config(user, {}, {"policy": DQNPolicy.declared_keys()})
    assert cfg["policy"]["other"]["replay_buffer"]["save_with_ckpt"] is True  # checkpoints keep the buffer


def test_a_buffer_smaller_than_the_start_threshold_is_refused() -> None:
    from ding_lite.config import ConfigError

    cfg = policy_cfg()
    cfg["other"]["replay_buffer"].update(replay_buffer_size=100, replay_buffer_start_size=200)
    with pytest.raises(ConfigError, match="replay_buffer_size' is 100.*200 transitions"):
        DQNPolicy(cfg, seed=0)
