"""DQN, REINFORCE and continuous PPO from the real CLI, with the shipped configs and DI-engine-format files."""
from __future__ import annotations

from pathlib import Path

import torch

from tests.e2e.conftest import read_scalars, run_cli

CONFIGS = Path(__file__).parent / "dizoo_format_configs"
DIZOO_DQN = (CONFIGS / "dqn_cartpole_config.py").read_text()
DIZOO_PG = (CONFIGS / "pg_cartpole_config.py").read_text()


def eval_returns(run: Path) -> list[float]:
    return [v for _, v in read_scalars(run / "log" / "serial")["evaluator_step/reward_mean"]]


def test_shipped_dqn_config_reaches_stop_value(workdir):
    result = run_cli("entry.serial_offpolicy", "-c", "cartpole_dqn_config.py", "-s", "0",
                     "--max-env-step", "5000", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "reached stop_value 195" in result.stdout
    assert eval_returns(workdir / "cartpole_dqn")[-1] >= 195
    log = (workdir / "cartpole_dqn" / "log" / "train.log").read_text()
    assert "replay buffer" not in log  # a fresh run says nothing about restoring a buffer


def test_dizoo_dqn_config_runs_unchanged_and_keeps_its_buffer_unless_told_not_to(workdir):
    config = workdir / "cartpole_dqn_config.py"
    config.write_text(DIZOO_DQN)
    result = run_cli("entry.serial_offpolicy", "-c", str(config), "--max-env-step", "3000", cwd=workdir)
    assert result.returncode == 0, result.stderr
    run = workdir / "lite_dqn_cartpole"
    assert eval_returns(run)[-1] > eval_returns(run)[0]
    saved = torch.load(run / "ckpt" / "ckpt_best.pth.tar", weights_only=True)  # the default: the buffer is kept
    assert saved["side_state"]["replay_buffer"]["total"] == saved["envstep"]
    assert list((run / "ckpt").glob("replay_buffer.*.seg"))

    config.write_text(DIZOO_DQN.replace("replay_buffer_size=20000)", "replay_buffer_size=20000, save_with_ckpt=False)")
                      .replace("exp_name='lite_dqn_cartpole'", "exp_name='without_buffer'"))
    result = run_cli("entry.serial_offpolicy", "-c", str(config), "--max-env-step", "400", cwd=workdir)
    assert result.returncode == 0, result.stderr
    ckpts = sorted((workdir / "without_buffer" / "ckpt").glob("*.pth.tar"))
    assert ckpts and not any("side_state" in torch.load(c, weights_only=True) for c in ckpts)
    assert not list((workdir / "without_buffer" / "ckpt").glob("*.seg"))


def test_pg_config_solves_or_improves(workdir):
    result = run_cli("entry.serial_onpolicy", "-c", "cartpole_pg_config.py", "-s", "0",
                     "--max-env-step", "60000", cwd=workdir)
    assert result.returncode == 0, result.stderr
    returns = eval_returns(workdir / "cartpole_pg")
    assert "reached stop_value 195" in result.stdout or max(returns) > returns[0] + 100


def test_dizoo_pg_config_runs_unchanged(workdir):
    config = workdir / "cartpole_pg_config.py"
    config.write_text(DIZOO_PG)
    result = run_cli("entry.serial_onpolicy", "-c", str(config), "--max-env-step", "3000", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert (workdir / "lite_pg_cartpole" / "ckpt").is_dir()


def test_pendulum_ppo_short_horizon_keeps_normaliser_statistics(workdir):
    result = run_cli("entry.serial_onpolicy", "-c", "pendulum_ppo_config.py", "-s", "0",
                     "--max-env-step", "8192", cwd=workdir)
    assert result.returncode == 0, result.stderr
    run = workdir / "pendulum_ppo"
    returns = eval_returns(run)
    assert len(returns) >= 2 and all(-1700 < r < 0 for r in returns)
    from ding_lite.utils.checkpoint_io import load_checkpoint, newest_checkpoint

    rms = load_checkpoint(newest_checkpoint(str(run / "ckpt")))["policy"]["obs_rms"]
    assert rms["count"] > 8192 - 1  # every collected observation went into the statistics
    assert tuple(rms["mean"].shape) == (3,) and not torch.equal(rms["var"], torch.ones(3, dtype=torch.float64))
