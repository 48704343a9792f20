"""Checkpoints written by an older ding_lite keep resuming: keys added since then, and renamed parameters."""
from __future__ import annotations

import torch

from ding_lite.utils.checkpoint_io import load_checkpoint, newest_checkpoint, save_checkpoint
from tests.e2e.conftest import run_cli


def rewrite(path: str, edit) -> None:
    ckpt = load_checkpoint(path)
    edit(ckpt)
    ckpt.pop("format_version")
    save_checkpoint(ckpt, path)


def test_a_checkpoint_from_before_new_config_keys_resumes(tmp_path):
    first = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-train-iter", "40", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    ckpt = newest_checkpoint(str(tmp_path / "cartpole_ppo" / "ckpt"))

    def drop_new_keys(ckpt: dict) -> None:  # as written before these keys existed
        del ckpt["config"]["policy"]["learn"]["value_norm"]
        del ckpt["config"]["policy"]["model"]["actor_head_layer_num"]

    rewrite(ckpt, drop_new_keys)
    resumed = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--resume", "latest",
                      "--max-train-iter", "80", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "reached max_train_iter 80" in resumed.stdout


def test_a_dqn_checkpoint_with_the_old_head_parameter_names_resumes(tmp_path):
    first = run_cli("entry.serial_offpolicy", "-c", "cartpole_dqn_config.py", "--max-train-iter", "60", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    ckpt = newest_checkpoint(str(tmp_path / "cartpole_dqn" / "ckpt"))
    weights = torch.load(ckpt, weights_only=True)["policy"]["model"]

    def old_names(ckpt: dict) -> None:  # before heads were modules: 'q.0.0.weight', not 'head.q.0.0.weight'
        for net in ("model", "target_model"):
            ckpt["policy"][net] = {k.removeprefix("head."): v for k, v in ckpt["policy"][net].items()}

    rewrite(ckpt, old_names)
    assert "q.0.0.weight" in load_checkpoint(ckpt)["policy"]["model"]
    resumed = run_cli("entry.serial_offpolicy", "-c", "cartpole_dqn_config.py", "--resume", "latest",
                      "--max-train-iter", "61", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    after = torch.load(newest_checkpoint(str(tmp_path / "cartpole_dqn" / "ckpt")), weights_only=True)
    for name, before in weights.items():  # one Adam step (lr 1e-3) from the loaded weights, not a fresh start
        assert (after["policy"]["model"][name] - before).abs().max() < 0.05, name
