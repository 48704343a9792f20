"""The 'subprocess' manager's worker processes: deaf to stop signals, and one sentence when one ends or fails."""
from __future__ import annotations

import os
import signal

import gymnasium as gym
import numpy as np
import pytest

from ding_lite.config import ConfigError
from ding_lite.envs import state as _env_state  # noqa: F401 - imported before the workers fork, as in a run
from ding_lite.envs.managers import make_manager
from ding_lite.envs.managers.base import EnvFailure
from ding_lite.envs.managers.processes import EnvWorkerDied, exit_cause
from ding_lite.utils.stop_signals import STOP_SIGNALS


class BrokenOnStep(gym.Env):
    """Raises on its third step: stands for a simulator bug inside a worker."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(2, np.float32), {}

    def step(self, action):
        self.t += 1
        if self.t == 3:
            raise ValueError("the simulator lost its mesh")
        return np.zeros(2, np.float32), 0.0, False, False, {}


class BrokenOnBuild(BrokenOnStep):
    def __init__(self):
        raise RuntimeError("no licence for this simulator")


class HoldsACallback(BrokenOnStep):
    """Keeps a callable, which the env-state capture cannot store: stands for a simulator handle without adapter."""

    def __init__(self):
        self.on_step = lambda: None

    def step(self, action):
        return np.zeros(2, np.float32), 1.0, False, False, {}


gym.register("WorkerTestBrokenOnStep-v0", entry_point=BrokenOnStep)
gym.register("WorkerTestHoldsACallback-v0", entry_point=HoldsACallback)
gym.register("WorkerTestBrokenOnBuild-v0", entry_point=BrokenOnBuild)


def test_workers_ignore_stop_signals_and_keep_stepping():
    manager = make_manager("CartPole-v0", 2, 0, "subprocess")
    try:
        manager.reset()
        for pid in manager.pids:
            for sig in STOP_SIGNALS:
                os.kill(pid, sig)
        for _ in range(50):  # each step is a round trip through every worker: they are alive and answering
            manager.step(np.array([0, 1]))
        assert all(proc.is_alive() for proc in manager._procs)
    finally:
        manager.close()


def test_a_killed_worker_is_one_sentence_naming_the_env_and_the_signal():
    manager = make_manager("CartPole-v0", 3, 0, "subprocess")
    manager.reset()
    pid = manager.pids[1]
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(EnvWorkerDied) as died:
        manager.step(np.array([0, 1, 0]))
    assert str(died.value) == (f"collector env 1 of 3 (CartPole-v0, worker pid {pid}) died during step: "
                               "killed by SIGKILL.")
    manager.close()  # the dead worker does not make closing fail
    assert not any(proc.is_alive() for proc in manager._procs)


def test_an_env_error_in_a_worker_is_one_sentence():
    manager = make_manager("WorkerTestBrokenOnStep-v0", 2, 0, "subprocess")
    manager.reset()
    manager.step(np.array([0, 0]))
    manager.step(np.array([0, 0]))
    with pytest.raises(EnvFailure, match=r"^collector env 0 of 2 \(WorkerTestBrokenOnStep-v0, worker pid \d+\) raised "
                                         r"ValueError: the simulator lost its mesh during step \(at .*test_env_workers"):
        manager.step(np.array([0, 0]))
    manager.close()


def test_an_env_that_cannot_be_built_is_a_config_error():
    with pytest.raises(ConfigError, match="env.manager.type 'subprocess': collector env 0 of 2 .* raised "
                                          "RuntimeError: no licence for this simulator during build"):
        make_manager("WorkerTestBrokenOnBuild-v0", 2, 0, "subprocess")


def test_exit_causes_in_words():
    assert exit_cause(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert exit_cause(3) == "exited with code 3"
    assert exit_cause(None) == "closed its pipe while still running"


def test_an_env_whose_state_cannot_be_captured_still_steps():
    manager = make_manager("WorkerTestHoldsACallback-v0", 2, 0, "subprocess")
    manager.reset()
    assert manager.state_dict() is None and not manager.can_capture()
    assert "on_step" in manager._uncapturable  # the reason names the attribute
    assert manager.step(np.array([0, 1])).reward.tolist() == [1.0, 1.0]
    manager.close()
