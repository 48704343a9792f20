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
                                             ("auto", "env manager vector (auto"),
                                             ("subprocess", "env manager async (one process per env")])
def test_every_gymnasium_manager_trains_stops_and_resumes_exactly(tmp_path, manager, chosen):
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
    assert got["collector"]["env"]["kind"] == ("vector" if manager in ("vector", "auto") else "sync")


def test_a_subprocess_checkpoint_resumes_on_sync_exactly(tmp_path):
    """The workers' env state is the 'sync' manager's: a run moved between the two continues bit for bit."""
    reference, moved = tmp_path / "reference", tmp_path / "moved"
    reference.mkdir()
    moved.mkdir()
    train(reference, "sync", "--max-train-iter", HORIZON)
    train(moved, "async", "--max-train-iter", HALF)
    result = train(moved, "sync", "--resume", "latest", "--max-train-iter", HORIZON)
    assert "env.manager.type" in result.stderr  # the config change is named in a warning
    assert "new episodes" not in log_of(moved)
    assert_same_weights(final(moved), final(reference))


def test_resume_under_another_manager_starts_new_episodes(tmp_path):
    train(tmp_path, "sync", "--max-train-iter", HALF)
    result = train(tmp_path, "vector", "--resume", "latest", "--max-train-iter", HORIZON)
    assert "env.manager.type" in result.stderr  # the config change is named in a warning
    log = log_of(tmp_path)
    assert "comes from the 'sync' env manager and this run uses 'vector': envs start new episodes" in log
    assert final(tmp_path)["collector"]["env"]["kind"] == "vector"
