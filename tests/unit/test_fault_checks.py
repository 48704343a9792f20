"""The run lock, the write probes, the disk-full translation and the non-finite guard, by value."""
from __future__ import annotations

import os
import socket
import subprocess

import numpy as np
import pytest
import torch

from ding_lite.config import ConfigError
from ding_lite.pipeline.finite import FiniteGuard
from ding_lite.pipeline.lock import RunLock, RunLockedError
from ding_lite.pipeline.writable import check_new_run, check_resumed_run
from ding_lite.utils.checkpoint_io import remove_temps, save_checkpoint
from ding_lite.utils.faults import DiskFull, NonFinite, disk_full
from ding_lite.worker.hooks import RunContext
from tests.e2e.fault_helpers import unwritable


def test_a_held_lock_refuses_a_second_holder_naming_pid_and_host(tmp_path):
    first = RunLock(tmp_path)
    first.acquire()
    assert first.took_over == ""
    with pytest.raises(RunLockedError, match=f"in use by PID {os.getpid()} on host {socket.gethostname()}"):
        RunLock(tmp_path).acquire()
    first.release()
    assert not (tmp_path / "run.lock").exists()
    again = RunLock(tmp_path)
    again.acquire()  # free again, and nothing stale to say
    assert again.took_over == ""
    again.release()


def test_a_lock_held_by_a_child_of_a_dead_holder_is_named_as_left_behind(tmp_path):
    lock = RunLock(tmp_path)
    lock.acquire()
    ended = subprocess.Popen(["true"])
    ended.wait()  # its pid names no process any more, as a holder killed while its child kept the lock
    os.pwrite(lock._fd, f"pid={ended.pid} host={socket.gethostname()} since=x\n".encode(), 0)
    with pytest.raises(RunLockedError, match="left behind when it ended .*: find it with `fuser -v"):
        RunLock(tmp_path).acquire()
    lock.release()


def test_a_lock_file_without_a_holder_is_stale_and_taken_over(tmp_path):
    (tmp_path / "run.lock").write_text("pid=4242 host=elsewhere since=2026-01-01T00:00:00\n")
    lock = RunLock(tmp_path)
    lock.acquire()
    assert "left by PID 4242 on host elsewhere" in lock.took_over
    assert f"pid={os.getpid()} " in (tmp_path / "run.lock").read_text()
    lock.release()


def test_write_probes_find_what_root_may_not_write(tmp_path):
    run = tmp_path / "run"
    (run / "ckpt").mkdir(parents=True)
    (run / "log" / "serial").mkdir(parents=True)
    (run / "log" / "train.log").write_text("")
    check_resumed_run(run, "ckpt", "log", "serial")
    with unwritable(run / "log" / "serial"), pytest.raises(ConfigError, match="TensorBoard dir .* nothing was"):
        check_resumed_run(run, "ckpt", "log", "serial")
    with unwritable(tmp_path), pytest.raises(ConfigError, match="experiment dir .*new' cannot be created"):
        check_new_run(tmp_path / "new")
    assert sorted(p.name for p in run.rglob("*")) == ["ckpt", "log", "serial", "train.log"]  # no probe left


def _real_full_disk_error() -> BaseException:
    """What torch.save raises when the kernel says ENOSPC (/dev/full refuses every write)."""
    try:
        with open("/dev/full", "wb") as f:
            torch.save({"w": torch.zeros(10_000)}, f)
    except Exception as exc:  # noqa: BLE001 - whatever torch wraps it in is what the pipeline meets
        return exc
    raise AssertionError("/dev/full accepted a write")


def test_a_full_device_is_one_sentence_naming_the_file(tmp_path, monkeypatch):
    real = _real_full_disk_error()
    assert str(disk_full(real, "x.pth.tar")) == "no space left on device while writing x.pth.tar"
    assert disk_full(RuntimeError("other"), "x") is None

    def full_disk_save(obj, f):
        raise real
    monkeypatch.setattr(torch, "save", full_disk_save)
    path = tmp_path / "iteration_3.pth.tar"
    with pytest.raises(DiskFull, match=f"^no space left on device while writing {path}$"):
        save_checkpoint({"w": torch.zeros(3)}, str(path))
    assert list(tmp_path.iterdir()) == []  # its temp file is gone too


def test_remove_temps_takes_every_checkpoint_temp_and_nothing_else(tmp_path):
    (tmp_path / ".iteration_3.pth.tar.tmp.1.abcdef12").write_bytes(b"")
    (tmp_path / "iteration_2.pth.tar").write_bytes(b"")
    assert remove_temps(str(tmp_path)) == [".iteration_3.pth.tar.tmp.1.abcdef12"]
    assert [p.name for p in tmp_path.iterdir()] == ["iteration_2.pth.tar"]


class _Policy:
    def __init__(self) -> None:
        self.net = torch.nn.Linear(3, 2)

    def learn_modules(self) -> dict:
        return {"model": self.net, "optimizer": object()}


def _guard() -> tuple[FiniteGuard, _Policy]:
    policy = _Policy()
    return FiniteGuard(policy, RunContext(train_iter=7, envstep=448)), policy


def test_env_values_name_the_field_and_env_index():
    guard, _ = _guard()
    rollout = {"obs": np.zeros((4, 3, 2), np.float32), "final_obs": np.zeros((4, 3, 2), np.float32),
               "reward": np.zeros((4, 3), np.float32)}
    guard.rollout(rollout, np.zeros((3, 2), np.float32))
    rollout["reward"][2, 1] = np.nan
    with pytest.raises(NonFinite, match="NaN in the reward of env 1 in the collect that ended at envstep 448 \\(train_iter 7\\)"):
        guard.rollout(rollout, None)
    rollout["reward"][2, 1] = 0
    with pytest.raises(NonFinite, match="Inf in the observation of env 2"):
        guard.rollout(rollout, np.array([[0, 0], [0, 0], [0, np.inf]], np.float32))
    guard.rollout({"obs": np.full((2, 3, 4), 255, np.uint8), "reward": np.zeros((2, 3))}, None)  # ints are finite
    episode = {"obs": np.zeros((5, 2)), "reward": np.array([0, 0, np.inf, 0, 0])}
    with pytest.raises(NonFinite, match="Inf in the reward of episode 1 of the collect"):
        guard.rollout([{"reward": np.zeros(3)}, episode], None)


def test_learner_values_gradients_and_weights_are_named():
    guard, policy = _guard()
    guard.learner_values({"total_loss": 0.5, "entropy": 1.0})
    with pytest.raises(NonFinite, match="the learner's 'entropy' is nan after the update to train_iter 7"):
        guard.learner_values({"total_loss": 0.5, "entropy": float("nan")})
    guard.weights()
    policy.net.bias.grad = torch.tensor([0.0, float("inf")])
    with pytest.raises(NonFinite, match="the gradient 'model.bias' holds Inf"):
        guard.weights()
    policy.net.bias.grad = None
    with torch.no_grad():
        policy.net.weight[1, 2] = float("nan")
    with pytest.raises(NonFinite, match="the weight 'model.weight' holds NaN"):
        guard.weights()
    with torch.no_grad():
        policy.net.weight.fill_(3e38)  # finite values whose sum overflows: not a fault
    guard.weights()
