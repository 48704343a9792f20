"""EpisodeSerialCollector: whole episodes only, episodes in flight carried over and through a checkpoint."""

import numpy as np
import pytest

from ding_lite.envs.managers import make_manager
from ding_lite.worker.collector import EpisodeSerialCollector
from ding_lite.worker.hooks import HookRegistry, RunContext


def act(obs: np.ndarray) -> dict[str, np.ndarray]:
    """Deterministic but not trivially balancing: episodes of varied length."""
    action = ((obs[:, 2] + 0.3 * obs[:, 0] + 0.01 * np.sin(1000 * obs[:, 1])) > 0).astype(np.int64)
    return {"action": action, "env_action": action, "score": obs[:, 3].astype(np.float32)}


def make(n_episode: int = 5, seed: int = 0) -> tuple[EpisodeSerialCollector, list]:
    reports: list = []
    env = make_manager("CartPole-v0", 4, seed, "sync")
    collector = EpisodeSerialCollector(env, act, n_episode, HookRegistry(), RunContext(),
                                       lambda prefix, values: reports.append((prefix, values)))
    return collector, reports


def test_collects_whole_episodes_with_consistent_fields() -> None:
    collector, reports = make()
    episodes, last = collector.collect()
    assert last is None
    assert len(episodes) >= 5
    for ep in episodes:
        length = len(ep["reward"])
        assert set(ep) == {"obs", "action", "score", "reward", "terminated", "truncated", "final_obs"}
        assert all(len(v) == length for v in ep.values())
        done = ep["terminated"] | ep["truncated"]
        assert done[-1] and not done[:-1].any()
        # consecutive steps chain: next step's obs is this step's next observation
        assert np.array_equal(ep["obs"][1:], ep["final_obs"][:-1])
        assert np.array_equal(ep["score"], ep["obs"][:, 3])
    assert collector.envstep % 4 == 0 and collector.envstep >= sum(len(e["reward"]) for e in episodes)
    assert collector.episode_count == len(episodes)
    assert reports[-1][0] == "collector"
    assert reports[-1][1]["reward_mean"] == pytest.approx(np.mean([e["reward"].sum() for e in episodes]))


def test_episodes_in_flight_are_finished_by_the_next_collect() -> None:
    collector, _ = make(n_episode=3)
    seen = []
    for _ in range(6):
        episodes, _ = collector.collect()
        seen.extend(episodes)
    # every env step collected so far is either in a returned episode or in an episode still running
    in_flight = collector._t - collector._start
    assert sum(len(e["reward"]) for e in seen) + int(in_flight.sum()) == collector.envstep


def test_state_dict_resumes_exactly() -> None:
    a, _ = make(n_episode=4, seed=3)
    a.collect()
    state = a.state_dict()
    expected, _ = a.collect()
    b, _ = make(n_episode=4, seed=99)
    b.load_state_dict(state, env_restorable=True)
    got, _ = b.collect()
    assert len(got) == len(expected)
    for x, y in zip(got, expected, strict=True):
        for key in x:
            assert np.array_equal(x[key], y[key]), key
    assert a.envstep == b.envstep and a.episode_count == b.episode_count


def test_unrestorable_envs_drop_episodes_in_flight_and_keep_counters() -> None:
    a, _ = make(n_episode=4, seed=3)
    a.collect()
    state = a.state_dict()
    b, _ = make(n_episode=4, seed=3)
    b.load_state_dict(state, env_restorable=False)
    assert b.envstep == a.envstep and not b._rows
    episodes, _ = b.collect()
    assert all((e["terminated"] | e["truncated"])[-1] for e in episodes)
