"""SQL, M-DQN, FQF, D4PG, BDQ, DQN-STDIM, PPO-STDIM, PPO-PG and SQN from the real CLI on DI-engine-format files written by this project: each trains,
writes finite losses to TensorBoard and a checkpoint, and says once what it ignores or maps."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.e2e.conftest import read_scalars, run_cli

CONFIGS = Path(__file__).parent / "dizoo_format_configs"
RUNS = {  # policy: (file, loss curve, --max-env-step)
    "sql": ("sql_cartpole_config.py", "total_loss", "400"),
    "mdqn": ("mdqn_cartpole_config.py", "total_loss", "400"),
    "fqf": ("fqf_cartpole_config.py", "fraction_loss", "400"),
    "d4pg": ("d4pg_pendulum_config.py", "critic_loss", "400"),
    "bdq": ("bdq_hopper_config.py", "total_loss", "240"),
    "dqn_stdim": ("dqn_stdim_cartpole_config.py", "aux_loss_learn", "400"),
    "ppo_stdim": ("ppo_stdim_cartpole_config.py", "aux_loss_eval", "600"),
    "ppo_pg": ("ppo_pg_cartpole_config.py", "policy_loss", "600"),
    "sqn": ("sqn_cartpole_config.py", "alpha_loss", "400"),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_variant_trains_from_a_dizoo_format_file(name, tmp_path):
    file, loss, horizon = RUNS[name]
    entry = "entry.serial_onpolicy" if name in ("ppo_stdim", "ppo_pg") else "entry.serial_offpolicy"
    result = run_cli(entry, "-c", str(CONFIGS / file), "--max-env-step", horizon, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = next(tmp_path.glob("lite_*"))
    values = [v for _, v in read_scalars(run / "log" / "serial")[f"learner_iter/{loss}"]]
    assert values and all(math.isfinite(v) for v in values)
    assert list((run / "ckpt").glob("iteration_*.pth.tar"))
    if name == "fqf":
        assert result.stderr.count("config key policy.kappa accepted and ignored") == 1
    if name == "d4pg":
        assert "config key policy.discount_factor accepted and ignored" in (run / "log" / "train.log").read_text()
    if name == "sql":
        assert result.stderr.count("names the expert of DI-engine's SQIL, whose demonstrations ding_lite does not "
                                   "add: this run trains plain soft Q-learning") == 1
    if name == "sqn":
        assert result.stderr.count("config key policy.collect.nstep accepted and ignored") == 1
    if name == "ppo_stdim":
        assert result.stderr.count("policy.other.replay_buffer.type accepted and ignored") == 1
    if name == "bdq":
        assert result.stderr.count("env 'Hopper-v3' is not made by gymnasium 1.x: training 'Hopper-v5'") == 1
