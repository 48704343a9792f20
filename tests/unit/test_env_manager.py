"""Env managers: one same-step autoreset contract for the numpy-vectorised, sync and async backends."""
from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch

from ding_lite.config import ConfigError
from ding_lite.envs.make import make_env
from ding_lite.envs.managers import MANAGER_TYPES, EnvManager, make_manager
from ding_lite.envs.managers.select import AUTO_TYPES, BACKENDS

THETA_LIMIT = 12 * 2 * math.pi / 360
X_LIMIT = 2.4


def controller(obs: np.ndarray, t: int) -> np.ndarray:
    """Envs 0 and 1 balance (their episodes end by truncation); the others act at random (termination)."""
    x, x_dot, theta, theta_dot = obs.T
    actions = (theta + 0.5 * theta_dot + 0.01 * x + 0.1 * x_dot > 0).astype(np.int64)
    actions[2:] = np.random.default_rng(t).integers(0, 2, len(obs) - 2)
    return actions


def make(kind: str, n: int = 4, seed: int = 0, **kwargs) -> EnvManager:
    return make_manager("CartPole-v0", n, seed, kind, **kwargs)


def run(manager: EnvManager, steps: int, obs: np.ndarray, t0: int = 0) -> list[tuple]:
    records = []
    for t in range(t0, t0 + steps):
        res = manager.step(controller(obs, t))
        records.append((res.obs, res.reward, res.terminated, res.truncated, res.final_obs))
        obs = res.obs
    return records


def assert_same_records(a: list[tuple], b: list[tuple]) -> None:
    assert len(a) == len(b)
    for t, (x, y) in enumerate(zip(a, b, strict=True)):
        for u, v in zip(x, y, strict=True):
            assert u.dtype == v.dtype, t
            np.testing.assert_array_equal(u, v, err_msg=f"step {t}")


@pytest.mark.parametrize("requested, kind", [("auto", "vector"), ("base", "vector"), ("vector", "vector"),
                                             ("sync", "sync"), ("async", "async"), ("subprocess", "async")])
def test_manager_choice_for_cartpole(requested, kind):
    manager = make(requested, n=4)
    try:
        assert manager.kind == kind
        assert manager.observation_space.shape == (4,) and manager.action_space.n == 2
    finally:
        manager.close()


def test_every_manager_type_has_a_backend_and_unknown_ones_are_refused():
    assert set(MANAGER_TYPES) == set(BACKENDS) | set(AUTO_TYPES)
    with pytest.raises(ConfigError, match=r"'env\.manager\.type' must be one of auto, vector, sync, base.*got 'gpu'"):
        make("gpu")


def test_make_env_applies_the_limit_then_the_wrappers_in_order():
    env = make_env("CartPole-v1", 30, [gym.wrappers.RecordEpisodeStatistics, gym.wrappers.FlattenObservation])
    assert isinstance(env, gym.wrappers.FlattenObservation)
    assert isinstance(env.env, gym.wrappers.RecordEpisodeStatistics)
    assert env.spec.max_episode_steps == 30
    env.close()


@pytest.mark.parametrize("requested", ["auto", "base"])
def test_auto_steps_one_or_two_envs_one_by_one(requested):
    for n in (1, 2):
        manager = make(requested, n=n)
        assert manager.kind == "sync" and "one by one" in manager.choice
        manager.close()
    manager = make("vector", n=1)  # asked for explicitly: granted
    assert manager.kind == "vector"
    manager.close()


def test_auto_falls_back_to_sync_without_a_vector_entry_point_and_vector_is_refused():
    manager = make_manager("Pendulum-v1", 4, 0, "auto")
    assert manager.kind == "sync" and "no numpy-vectorised env" in manager.choice
    manager.close()
    with pytest.raises(ConfigError, match=r"'env\.manager\.type' is 'vector', but Pendulum-v1 has no"):
        make_manager("Pendulum-v1", 2, 0, "vector")


def test_vector_matches_sync_semantics_on_the_same_states_and_actions():
    """Same start states and actions: same rewards, same episode ends (termination vs truncation), same obs.

    The two backends draw their initial states from different generators, so at every reset the
    sync envs are given the vector env's fresh state.
    """
    vec, sync = make("vector"), make("sync")
    obs = vec.reset()
    sync.reset()

    def give_states(mask: np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            sync.vec.envs[i].unwrapped.state = vec.vec.state[:, i].copy()

    give_states(np.ones(4, dtype=bool))
    ends = {"terminated": 0, "truncated": 0}
    lengths = np.zeros(4, dtype=int)
    for t in range(1500):
        actions = controller(obs, t)
        a, b = vec.step(actions), sync.step(actions)
        lengths += 1
        assert a.reward.dtype == b.reward.dtype == np.float32
        np.testing.assert_array_equal(a.reward, b.reward)
        np.testing.assert_array_equal(a.reward, np.ones(4, dtype=np.float32))  # the final reward is kept
        np.testing.assert_array_equal(a.terminated, b.terminated)
        np.testing.assert_array_equal(a.truncated, b.truncated)
        np.testing.assert_allclose(a.final_obs, b.final_obs, rtol=0, atol=1e-6)
        done = a.terminated | a.truncated
        np.testing.assert_allclose(a.obs[~done], b.obs[~done], rtol=0, atol=1e-6)
        ends["terminated"] += int(a.terminated.sum())
        ends["truncated"] += int(a.truncated.sum())
        assert (lengths[a.truncated] == 200).all(), "CartPole-v0 truncates at 200 steps"
        assert (lengths[a.terminated] < 200).all()
        lengths[done] = 0
        give_states(done)
        obs = a.obs
    assert ends["terminated"] > 20 and ends["truncated"] > 10, ends
    vec.close()
    sync.close()


@pytest.mark.parametrize("kind", ["vector", "sync", "async"])
def test_final_obs_is_the_real_last_observation_and_obs_starts_the_next_episode(kind):
    manager = make(kind)
    obs = manager.reset()
    seen = 0
    for t in range(600):
        res = manager.step(controller(obs, t))
        done = res.terminated | res.truncated
        np.testing.assert_array_equal(res.final_obs[~done], res.obs[~done])
        for i in np.flatnonzero(res.terminated):
            x, _, theta, _ = res.final_obs[i]
            assert abs(x) > X_LIMIT or abs(theta) > THETA_LIMIT  # the state that ended the episode
            assert np.all(np.abs(res.obs[i]) <= 0.05)  # a fresh initial state, not a continuation
            seen += 1
        obs = res.obs
    assert seen > 5
    manager.close()


@pytest.mark.parametrize("kind", ["vector", "sync", "async"])
@pytest.mark.parametrize("limit", [None, 30])
def test_time_limit_is_honoured(kind, limit):
    """CartPole-v0's own 200-step limit passes through make_vec, and env.max_episode_steps overrides it."""
    manager = make(kind, n=2, max_episode_steps=limit)
    obs = manager.reset()
    length = 0
    while True:
        x, x_dot, theta, theta_dot = obs.T
        res = manager.step((theta + 0.5 * theta_dot + 0.01 * x + 0.1 * x_dot > 0).astype(np.int64))
        length += 1
        if res.truncated[0] or res.terminated[0]:
            break
        obs = res.obs
    assert (length, bool(res.truncated[0]), bool(res.terminated[0])) == (limit or 200, True, False)
    assert res.reward[0] == 1.0
    manager.close()


def test_vector_draws_the_same_resets_as_gymnasium_next_step_mode():
    """One env: our sequence is gymnasium's own NEXT_STEP sequence with its reset steps removed, bit for bit."""
    ours = make("vector", n=1, seed=7)
    raw = gym.make_vec("CartPole-v0", num_envs=1, vectorization_mode="vector_entry_point")
    obs = ours.reset()
    raw_obs, _ = raw.reset(seed=7)
    np.testing.assert_array_equal(obs, raw_obs)
    rng = np.random.default_rng(0)
    episodes = 0
    for _ in range(400):
        action = rng.integers(0, 2, 1)
        res = ours.step(action)
        raw_obs, reward, terminated, truncated, _ = raw.step(action)
        np.testing.assert_array_equal(reward, res.reward)
        np.testing.assert_array_equal(terminated, res.terminated)
        np.testing.assert_array_equal(truncated, res.truncated)
        np.testing.assert_array_equal(raw_obs, res.final_obs)
        if terminated[0] or truncated[0]:
            episodes += 1
            raw_obs, reward, terminated, truncated, _ = raw.step(action)  # gymnasium's reset step
            assert reward[0] == 0.0 and not terminated[0] and not truncated[0]
        np.testing.assert_array_equal(raw_obs, res.obs)
    assert episodes > 10
    ours.close()
    raw.close()


def torch_roundtrip(state: dict, tmp_path) -> dict:
    path = tmp_path / "state.pt"
    torch.save(state, path)
    return torch.load(path, weights_only=True)


@pytest.mark.parametrize("kind", ["vector", "sync", "async"])
def test_state_round_trip_mid_episode_continues_bit_for_bit(kind, tmp_path):
    first = make(kind)
    obs = first.reset()
    records = run(first, 37, obs)
    obs = records[-1][0]
    state = torch_roundtrip(first.state_dict(), tmp_path)
    expected = run(first, 400, obs, t0=37)

    second = make(kind, seed=123)  # built the same way, but on another seed and stepped elsewhere
    run(second, 11, second.reset())
    assert second.can_restore(state)
    second.load_state_dict(state)
    assert_same_records(run(second, 400, obs, t0=37), expected)
    assert sum(int((r[2] | r[3]).sum()) for r in expected) > 5  # the continuation crosses episode ends
    first.close()
    second.close()


def test_state_from_another_backend_is_not_restorable():
    vec, sync = make("vector"), make("sync")
    vec.reset()
    sync.reset()
    assert not sync.can_restore(vec.state_dict())
    assert not vec.can_restore(sync.state_dict())
    with pytest.raises(ValueError, match="'vector' env manager"):
        sync.load_state_dict(vec.state_dict())
    vec.close()
    sync.close()


def test_async_state_is_the_sync_managers_state():
    """Workers build and step env i as 'sync' does: their state restores there and back, bit for bit."""
    manager = make("async", n=2)
    run(manager, 5, manager.reset())
    state = manager.state_dict()
    assert state["kind"] == "sync" and len(state["envs"]) == 2
    assert manager.can_restore(make("sync", n=2).state_dict()) and not manager.can_restore(None)
    with pytest.raises(ValueError, match="'vector' env manager; 'async' loads 'sync' state"):
        manager.load_state_dict({"kind": "vector", "envs": []})
    manager.close()


@pytest.mark.parametrize("kind", ["vector", "sync", "async"])
def test_seeded_resets_are_reproducible(kind):
    a, b = make(kind), make(kind)
    np.testing.assert_array_equal(a.reset(seed_offset=5), b.reset(seed_offset=5))
    assert_same_records(run(a, 300, a.reset(seed_offset=9)), run(b, 300, b.reset(seed_offset=9)))
    assert not np.array_equal(a.reset(seed_offset=1), a.reset(seed_offset=2))
    a.close()
    b.close()
