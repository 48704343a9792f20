"""The 'ray' env manager step by step against 'sync' (same arrays, same state format), and what a restarted
actor's envs report."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from ding_lite.envs.managers import make_manager
from tests.e2e.ray_helpers import ray_address

FIELDS = ("obs", "reward", "terminated", "truncated", "final_obs")


@pytest.fixture(scope="module", autouse=True)
def cluster() -> str:
    return ray_address()


def ray_manager(n: int = 5, actors: int = 3, **options):
    return make_manager("CartPole-v0", n, 7, "ray", None, {"ray": {"num_actors": actors, "num_cpus": 0.25, **options}})


def test_ray_steps_and_captures_as_sync():
    ray, sync = ray_manager(), make_manager("CartPole-v0", 5, 7, "sync")
    assert "3 actors of 1/2 envs" in ray.choice
    assert np.array_equal(ray.reset(3), sync.reset(3))
    rng = np.random.default_rng(0)
    for t in range(300):  # random actions: many episodes end on the way
        actions = rng.integers(0, 2, 5)
        if t == 150:  # swap the envs' states between the two managers: both go on identically
            ray_state, sync_state = ray.state_dict(), sync.state_dict()
            assert ray_state.keys() == sync_state.keys() and ray_state["kind"] == "sync"
            ray.load_state_dict(sync_state)
            sync.load_state_dict(ray_state)
        got, want = ray.step(actions), sync.step(actions)
        for field in FIELDS:
            a, b = getattr(got, field), getattr(want, field)
            assert a.dtype == b.dtype and np.array_equal(a, b), (t, field)
    assert ray.can_capture() and ray.can_restore(sync.state_dict())
    ray.close()
    sync.close()


def test_a_restarted_actor_truncates_its_episodes_and_starts_new_ones():
    ray = ray_manager(4, 2, on_actor_failure="restart")
    said = []
    ray.say = said.append
    obs = ray.reset(0)
    ray.state_dict()
    os.kill(ray.pids[1], signal.SIGKILL)
    res = ray.step(np.zeros(4, dtype=np.int64))
    assert not res.truncated[:2].any() and res.truncated[2:].all() and (res.reward[2:] == 0).all()
    assert np.array_equal(res.final_obs[2:], obs[2:]) and not np.array_equal(res.obs[2:], obs[2:])
    assert len(said) == 1 and said[0].startswith("env actor 1 of 2 (envs 2-3 of CartPole-v0) died (")
    assert said[0].endswith("restarted it with the envs' state from the last checkpoint and new episodes; "
                            "this run is no longer exact")
    ray.close()


def test_default_cpus_fit_a_runs_collector_and_evaluator_on_the_free_cpus():
    from ding_lite.envs.managers.ray import fitting_cpus

    collector = fitting_cpus(2.0, 2, evaluator=False)  # a 2-core machine, nothing else reserved
    evaluator = fitting_cpus(2.0 - 2 * collector, 2, evaluator=True)
    assert (collector, evaluator) == (0.5, 0.5)
    assert fitting_cpus(64.0, 4, evaluator=False) == 1.0  # at most one CPU per actor
    assert fitting_cpus(1.0, 3, evaluator=False) == 0.1666  # Ray's steps of 1e-4, rounded down so they fit
    assert fitting_cpus(0.0, 2, evaluator=True) == 0.0  # a full cluster: actors share what is there


def test_the_default_ray_managers_start_on_this_machine():
    """``env.manager.ray`` left at its defaults: the collector's and the evaluator's actors both start here."""
    from ding_lite.envs.make import EnvOptions

    collector = make_manager("CartPole-v0", 4, 0, "ray", None, {"ray": {}}, env_options=EnvOptions())
    evaluator = make_manager("CartPole-v0", 2, 0, "ray", None, {"ray": {}}, env_options=EnvOptions(train=False))
    try:
        assert collector.reset().shape == (4, 4) and evaluator.reset().shape == (2, 4)
        cpus = [m._options["num_cpus"] for m in (collector, evaluator)]
        assert all(0 <= c <= 1 for c in cpus) and 2 * sum(cpus) <= os.cpu_count()
    finally:
        collector.close()
        evaluator.close()


def test_actors_that_could_never_fit_are_refused_at_once():
    from ding_lite.config import ConfigError

    with pytest.raises(ConfigError, match=r"each of the 2 env actors needs \{'CPU': 1000\}, more than the whole "
                                          r"cluster has"):
        make_manager("CartPole-v0", 2, 0, "ray", None, {"ray": {"num_cpus": 1000}})
