"""SQL, M-DQN, FQF, D4PG and BDQ from the real CLI on DI-engine-format files written by this project: each trains,
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
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_variant_trains_from_a_dizoo_format_file(name, tmp_path):
    file, loss, horizon = RUNS[name]
    result = run_cli("entry.serial_offpolicy", "-c", str(CONFIGS / file), "--max-env-step", horizon, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = next(tmp_path.glob("lite_*"))
    values = [v for _, v in read_scalars(run / "log" / "serial")[f"learner_iter/{loss}"]]
    assert values and all(math.isfinite(v) for v in values)
    assert list((run / "ckpt").glob("iteration_*.pth.tar"))
    if name == "fqf":
        assert result.stderr.count("config key policy.kappa accepted and ignored") == 1
    if name == "d4pg":
        assert "policy.discount_factor=0.995 is ignored" in (run / "log" / "train.log").read_text()
    if name == "bdq":
        assert result.stderr.count("env 'Hopper-v3' is not made by gymnasium 1.x: training 'Hopper-v5'") == 1
