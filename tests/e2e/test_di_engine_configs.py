"""Config files in DI-engine's format (main_config, with or without create_config) run unchanged and solve CartPole."""
from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import read_scalars, run_cli

CONFIGS = Path(__file__).parent / "dizoo_format_configs"


def solved(run: Path) -> bool:
    return read_scalars(run / "log" / "serial")["evaluator_iter/reward_mean"][-1][1] >= 195


def test_dizoo_config_with_create_config_and_guide_config_with_and_without_checkpoint(workdir):
    dizoo = run_cli("entry.serial_onpolicy", "-c", str(CONFIGS / "ppo_cartpole_config.py"), cwd=workdir)
    assert dizoo.returncode == 0, dizoo.stderr
    assert "reached stop_value 195" in dizoo.stdout and solved(workdir / "lite_ppo_cartpole")

    ckpt = min((workdir / "lite_ppo_cartpole" / "ckpt").glob("iteration_*.pth.tar"))
    guide_text = (CONFIGS / "ppo_cartpole_finetune_config.py").read_text()
    for name, path in (("guide_fresh", ""), ("guide_pretrained", str(ckpt))):
        config = workdir / f"{name}_config.py"
        config.write_text(guide_text.replace("CKPT_PATH", path))
        result = run_cli("entry.serial_onpolicy", "-c", str(config), cwd=workdir)
        assert result.returncode == 0, result.stderr
        assert "reached stop_value 195" in result.stdout
    runs = sorted(p.name for p in workdir.iterdir() if p.is_dir())
    assert runs[0] == "lite_ppo_cartpole" and runs[1] == "lite_ppo_cartpole_finetune"
    assert runs[2].startswith("lite_ppo_cartpole_finetune_")
    assert "loaded weights and optimizer from" in (workdir / runs[2] / "log" / "train.log").read_text()
