"""DDPG, TD3, SAC and discrete SAC from the real CLI on DI-engine-format files: training, kill -9 then
``--resume latest`` bit for bit with the buffer kept, and a refill (said once) without it."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.e2e.conftest import read_scalars, run_cli, start_cli
from tests.e2e.test_resume import assert_same_run, kill9_after_a_prune

OFFPOLICY = "entry.serial_offpolicy"
CONFIGS = Path(__file__).parent / "dizoo_format_configs"
FILES = {"ddpg": "ddpg_pendulum_config.py", "td3": "td3_pendulum_config.py", "sac": "sac_pendulum_config.py",
         "discrete_sac": "discrete_sac_cartpole_config.py"}
EXACT = """
main_config.exp_name = 'exact'
main_config.env.stop_value = 10 ** 9  # never reached: runs stop on --max-train-iter
main_config.policy.learn['learner'] = dict(hook=dict(save_ckpt_after_iter=40), max_ckpt_keep=1)
"""
BUFFER_OFF = """main_config.policy.other.replay_buffer.save_with_ckpt = False
main_config.policy.learn.learner.max_ckpt_keep = 0  # keep every checkpoint
"""
HORIZON = "400"


def write_config(directory: Path, name: str, extra: str = "") -> str:
    path = directory / FILES[name]
    path.write_text((CONFIGS / FILES[name]).read_text() + extra)
    return path.name


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_policy_trains_from_the_cli_on_a_dizoo_format_file(tmp_path, name):
    result = run_cli(OFFPOLICY, "-c", write_config(tmp_path, name), "--max-train-iter", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = next(tmp_path.glob("lite_*"))
    scalars = read_scalars(run / "log" / "serial")
    losses = [v for _, v in scalars["learner_iter/critic_loss"]]
    assert losses and all(torch.isfinite(torch.tensor(losses)))
    assert "learner_iter/actor_loss" in scalars or "learner_iter/policy_loss" in scalars
    assert (run / "ckpt" / "iteration_60.pth.tar").exists()


@pytest.mark.parametrize("name", ["td3", "sac", "discrete_sac"])
def test_kill9_then_resume_latest_with_the_buffer_is_bit_identical(tmp_path, name):
    """Default settings: the buffer is kept; one checkpoint kept, so the kill comes after a prune."""
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    for work in (straight, broken):
        work.mkdir()
        config = write_config(work, name, EXACT)  # the default: checkpoints keep the buffer
    result = run_cli(OFFPOLICY, "-c", config, "--max-train-iter", HORIZON, cwd=straight)
    assert result.returncode == 0, result.stderr
    proc = start_cli(OFFPOLICY, "-c", config, "--max-train-iter", HORIZON, cwd=broken)
    kill9_after_a_prune(proc, broken / "exact" / "ckpt", "iteration_80.pth.tar", "iteration_40.pth.tar")
    resumed = run_cli(OFFPOLICY, "-c", config, "--resume", "latest", "--max-train-iter", HORIZON, cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert "replay buffer restored from" in (broken / "exact" / "log" / "train.log").read_text()
    assert_same_run(broken / "exact", straight / "exact", HORIZON)  # weights, optimizers, alpha, TensorBoard


def test_resume_without_the_buffer_refills_it_and_says_so_once(tmp_path):
    config = write_config(tmp_path, "sac", EXACT + BUFFER_OFF)
    first = run_cli(OFFPOLICY, "-c", config, "--max-train-iter", "60", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = run_cli(OFFPOLICY, "-c", config, "--resume", "latest", "--max-train-iter", "120", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "exact" / "log" / "train.log").read_text()
    assert log.count("replay buffer was not saved with this checkpoint: it starts empty") == 1
    ckpt = tmp_path / "exact" / "ckpt"
    saved = torch.load(ckpt / "iteration_60.pth.tar", weights_only=True)
    resumed = torch.load(ckpt / "iteration_120.pth.tar", weights_only=True)
    # the first 60 updates began after 256 warm-up steps; the resumed 60 after refilling the same 256
    # (acting with the policy now: the warm-up clock, collect_envstep, was restored and is past it)
    assert resumed["envstep"] - saved["envstep"] == saved["envstep"]
    assert resumed["policy"]["counters"]["collect_envstep"] == resumed["envstep"]
