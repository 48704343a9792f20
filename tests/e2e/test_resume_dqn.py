"""Q-learning resume: bit-identical with the replay buffer (and its priorities) saved; refill without it."""
from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import torch

from tests.e2e.conftest import run_cli, start_cli
from tests.e2e.test_resume import assert_same_side_state, assert_same_tensors

OFFPOLICY = "entry.serial_offpolicy"
CONFIG = """\
from configs.cartpole_{algo}_config import main_config, create_config
main_config.exp_name = 'dqn_exact'
main_config.env.stop_value = 1000
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 30
main_config.policy.learn.learner.max_ckpt_keep = 2
{buffer_line}main_config.policy.priority = {priority}
main_config.policy.priority_IS_weight = {priority}
"""
EXACT_RUNS = {"dqn": ("dqn", False), "dqn_priority": ("dqn", True), "rainbow": ("rainbow", True)}
HORIZON = "240"


def write_config(directory: Path, save_buffer: bool, algo: str = "dqn", priority: bool = False) -> Path:
    path = directory / "dqn_exact_config.py"
    buffer_line = "" if save_buffer else "main_config.policy.other.replay_buffer.save_with_ckpt = False\n"
    path.write_text(CONFIG.format(buffer_line=buffer_line, algo=algo, priority=priority))
    return path


def final(run: Path) -> dict:
    return torch.load(run / "ckpt" / f"iteration_{HORIZON}.pth.tar", weights_only=True)


@pytest.mark.parametrize("run", sorted(EXACT_RUNS))
def test_killed_and_resumed_with_its_buffer_is_bit_identical(tmp_path, run):
    """Default settings (the buffer kept incrementally), two checkpoints kept: the kill comes after a prune."""
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    for work in (straight, broken):
        work.mkdir()
        write_config(work, True, *EXACT_RUNS[run])
    assert run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", HORIZON, cwd=straight).returncode == 0

    proc = start_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", HORIZON, cwd=broken)
    ckpt_dir = broken / "dqn_exact" / "ckpt"
    deadline = time.time() + 60
    pruned = lambda: (ckpt_dir / "iteration_90.pth.tar").exists() and not (ckpt_dir / "iteration_30.pth.tar").exists()
    while time.time() < deadline and proc.poll() is None and not pruned():
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert pruned()  # iteration_30 was pruned (max_ckpt_keep=2) before the kill
    assert list(ckpt_dir.glob("replay_buffer.*.seg"))
    resumed = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--resume", "latest", "--max-train-iter", HORIZON,
                      cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert "replay buffer restored from" in (broken / "dqn_exact" / "log" / "train.log").read_text()
    got, want = final(broken / "dqn_exact"), final(straight / "dqn_exact")
    for key in ("policy", "learner", "collector", "evaluator", "rng", "envstep"):
        assert_same_tensors(got[key], want[key], key)
    # transitions and, when prioritized, priorities: the manifest and every segment it lists, byte for byte
    assert ("priority" in want["side_state"]["replay_buffer"]) == EXACT_RUNS[run][1]
    assert_same_side_state(broken / "dqn_exact", straight / "dqn_exact", got, want)
    assert_only_listed_segments(broken / "dqn_exact")


def assert_only_listed_segments(run: Path) -> None:
    """Pruning keeps exactly the segment files that the kept checkpoints list."""
    listed = set()
    for ckpt in (run / "ckpt").glob("*.pth.tar"):
        state = torch.load(ckpt, weights_only=True)
        listed |= {s[0] for s in state.get("side_state", {}).get("replay_buffer", {}).get("segments", [])}
    assert listed == {p.name for p in (run / "ckpt").glob("*.seg")}


def test_dqn_resume_without_buffer_refills_and_keeps_the_exploration_schedule(tmp_path):
    write_config(tmp_path, save_buffer=False)
    first = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--max-train-iter", "60", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    ckpt_dir = tmp_path / "dqn_exact" / "ckpt"
    assert not list(ckpt_dir.glob("*.seg"))  # turned off: no segment files
    off = "checkpoints of this run do not keep the replay buffer (policy.other.replay_buffer.save_with_ckpt=False)"
    assert first.stdout.count(off) == 1  # said once on the console, at the first save
    saved = torch.load(ckpt_dir / "iteration_60.pth.tar", weights_only=True)

    again = run_cli(OFFPOLICY, "-c", "dqn_exact_config.py", "--resume", "latest", "--max-train-iter", "120",
                    cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "dqn_exact" / "log" / "train.log").read_text()
    assert log.count("replay buffer was not saved with this checkpoint: it starts empty") == 1
    assert again.stdout.count("replay buffer was not saved with this checkpoint: it starts empty") == 1
    assert again.stdout.count(off) == 1
    resumed = torch.load(ckpt_dir / "iteration_120.pth.tar", weights_only=True)
    counters_before = saved["policy"]["counters"]
    counters_after = resumed["policy"]["counters"]
    # the epsilon schedule's clock is the collector envstep: restored, then advanced, never reset
    assert counters_after["collect_envstep"] == resumed["envstep"] > counters_before["collect_envstep"] > 0
    # the empty buffer refills before training resumes: the 60 resumed iterations cost exactly the env
    # steps of the first 60, which also started from an empty buffer (a kept buffer would need fewer)
    assert resumed["envstep"] - saved["envstep"] == saved["envstep"]
