"""Every env manager trains and resumes from the command line (short horizons)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.e2e.conftest import run_cli

ONPOLICY = "entry.serial_onpolicy"
CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'managers'
main_config.env.stop_value = 1000  # never reached: runs stop on --max-train-iter
main_config.env.manager = dict(type={manager!r})
create_config.env_manager = dict(type={manager!r})
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 40
"""
HALF, HORIZON = "80", "160"


def write_config(directory: Path, manager: str) -> Path:
    path = directory / f"managers_{manager}_config.py"
    path.write_text(CONFIG.format(manager=manager))
    return path


def train(directory: Path, manager: str, *args: str):
    result = run_cli(ONPOLICY, "-c", str(write_config(directory, manager)), *args, cwd=directory)
    assert result.returncode == 0, result.stderr
    return result


def final(directory: Path) -> dict:
    return torch.load(directory / "managers" / "ckpt" / f"iteration_{HORIZON}.pth.tar", weights_only=True)


def log_of(directory: Path) -> str:
    return (directory / "managers" / "log" / "train.log").read_text()


def assert_same_weights(a: dict, b: dict) -> None:
    for key, tensor in a["policy"]["model"].items():
        assert torch.equal(tensor, b["policy"]["model"][key]), key
    assert a["envstep"] == b["envstep"] and a["train_iter"] == b["train_iter"]


@pytest.mark.parametrize("manager, chosen", [("vector", "env manager vector"), ("sync", "env manager sync"),
                                             ("auto", "env manager vector (auto")])
def test_in_process_manager_trains_stops_and_resumes_exactly(tmp_path, manager, chosen):
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    reference.mkdir()
    resumed.mkdir()
    train(reference, manager, "--max-train-iter", HORIZON)
    train(resumed, manager, "--max-train-iter", HALF)
    train(resumed, manager, "--resume", "latest", "--max-train-iter", HORIZON)
    log = log_of(resumed)
    assert chosen in log and "resumed from" in log
    assert "cannot be captured" not in log and "new episodes" not in log
    got, want = final(resumed), final(reference)
    assert_same_weights(got, want)
    assert got["collector"]["env"]["kind"] == ("sync" if manager == "sync" else "vector")


@pytest.mark.parametrize("manager", ["async", "subprocess"])
def test_async_manager_trains_stops_and_resumes_with_new_episodes(tmp_path, manager):
    train(tmp_path, manager, "--max-train-iter", HALF)
    result = train(tmp_path, manager, "--resume", "latest", "--max-train-iter", HORIZON)
    assert "reached max_train_iter 160" in result.stdout
    log = log_of(tmp_path)
    assert "env manager async" in log
    assert log.count("cannot be captured") == 2  # once per run (the first run and the resumed one), not per save
    assert "env state was not captured in this checkpoint: envs start new episodes on resume" in log
    state = final(tmp_path)
    assert state["collector"]["env"] is None and state["envstep"] == 160 // 40 * 256


def test_resume_under_another_manager_starts_new_episodes(tmp_path):
    train(tmp_path, "sync", "--max-train-iter", HALF)
    result = train(tmp_path, "vector", "--resume", "latest", "--max-train-iter", HORIZON)
    assert "env.manager.type" in result.stderr  # the config change is named in a warning
    log = log_of(tmp_path)
    assert "comes from the 'sync' env manager and this run uses 'vector': envs start new episodes" in log
    assert final(tmp_path)["collector"]["env"]["kind"] == "vector"
