"""Q-learning resume: bit-identical with the replay buffer (and its priorities) saved; refill without it."""
from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import torch

from ding_lite.utils.checkpoint_io import newest_checkpoint
from tests.e2e.conftest import run_cli, start_cli
from tests.e2e.test_resume import assert_same_tensors

OFFPOLICY = "entry.serial_offpolicy"
CONFIG = """\
from configs.cartpole_{algo}_config import main_config, create_config
main_config.exp_name = 'dqn_exact'
main_config.env.stop_value = 1000
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 30
main_config.policy.other.replay_buffer.save_with_ckpt = {save_buffer}
main_config.policy.priority = {priority}
main_config.policy.priority_IS_weight = {priority}
"""
EXACT_RUNS = {"dqn": ("dqn", False), "dqn_priority": ("dqn", True), "rainbow": ("rainbow", True)}
HORIZON = "240"


def write_config(directory: Path, save_buffer: bool, algo: str = "dqn", priority: bool = False) -> Path:
    path = directory / "dqn_exact_config.py"
    path.write_text(CONFIG.format(save_buffer=save_buffer, algo=algo, priority=priority))
    return path


def final(run: Path) -> dict:
    return torch.load(run / "ckpt" / f"iteration_{HORIZON}.pth.tar", weights_only=True)


@pytest.mark.parametrize("run", sorted(EXACT_RUNS))
def test_killed_and_resumed_with_its_buffer_is_bit_identical(tmp_path, run):
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    for work in (straight, broken):
        work.mkdir()
        write_config(work, True, *EXACT_RUNS[run])
    assert run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", HORIZON, cwd=straight).returncode == 0

    proc = start_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", HORIZON, cwd=broken)
    ckpt_dir = broken / "dqn_exact" / "ckpt"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and not newest_checkpoint(str(ckpt_dir)):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert list(ckpt_dir.glob("iteration_*.replay_buffer.pth.tar"))
    resumed = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--resume", "latest", "--max-train-iter", HORIZON,
                      cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert "replay buffer restored from" in (broken / "dqn_exact" / "log" / "train.log").read_text()
    got, want = final(broken / "dqn_exact"), final(straight / "dqn_exact")
    for key in ("policy", "learner", "collector", "evaluator", "rng", "envstep"):
        assert_same_tensors(got[key], want[key], key)
    side = f"ckpt/iteration_{HORIZON}.replay_buffer.pth.tar"  # transitions and, when prioritized, priorities
    got_buffer, want_buffer = (torch.load(r / "dqn_exact" / side, weights_only=True) for r in (broken, straight))
    assert ("priority" in want_buffer) == EXACT_RUNS[run][1]
    assert_same_tensors(got_buffer, want_buffer, "replay_buffer")


def test_dqn_resume_without_buffer_refills_and_keeps_the_exploration_schedule(tmp_path):
    write_config(tmp_path, save_buffer=False)
    first = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", "60", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    ckpt_dir = tmp_path / "dqn_exact" / "ckpt"
    assert not list(ckpt_dir.glob("*.replay_buffer.pth.tar"))  # off by default: no side files
    saved = torch.load(ckpt_dir / "iteration_60.pth.tar", weights_only=True)

    again = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--resume", "latest", "--max-train-iter", "120",
                    cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "dqn_exact" / "log" / "train.log").read_text()
    assert log.count("replay buffer was not saved with this checkpoint: it starts empty") == 1
    resumed = torch.load(ckpt_dir / "iteration_120.pth.tar", weights_only=True)
    counters_before = saved["policy"]["counters"]
    counters_after = resumed["policy"]["counters"]
    # the epsilon schedule's clock is the collector envstep: restored, then advanced, never reset
    assert counters_after["collect_envstep"] == resumed["envstep"] > counters_before["collect_envstep"] > 0
    # the empty buffer refills before training resumes: the 60 resumed iterations cost exactly the env
    # steps of the first 60, which also started from an empty buffer (a kept buffer would need fewer)
    assert resumed["envstep"] - saved["envstep"] == saved["envstep"]
