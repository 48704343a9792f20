"""A NaN or Inf from the env or in learning stops the run through the real CLI: one sentence naming what and
where, the newest finite checkpoint named, and no non-finite value in any checkpoint."""
from __future__ import annotations

import math

import pytest
import torch

from tests.e2e.conftest import run_cli
from tests.e2e.fault_helpers import tiny_config

ONPOLICY = "entry.serial_onpolicy"
FAULTY_ENV = """
main_config.env.env_id = '{env_id}'
main_config.env.import_names = ['tests.e2e.nan_env']
main_config.seed = 0
"""


def all_finite(value) -> bool:
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(all_finite(v) for v in value)
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return bool(value.isfinite().all())
    if isinstance(value, float):
        return math.isfinite(value) or value == float("-inf")  # a best return before any eval is -inf
    return True


def stopped_by(proc, *words: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("env_id", "what"), [("NanRewardCartPole", "NaN in the reward of env 2"),
                                              ("InfObsCartPole", "Inf in the observation of env 2")])
def test_a_non_finite_env_value_stops_the_run_naming_env_and_iteration(tmp_path, env_id, what):
    config = tiny_config(tmp_path, save_every=1, extra=FAULTY_ENV.format(env_id=env_id))
    proc = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "200", cwd=tmp_path)
    line = stopped_by(proc, f"the env returned {what}", "train_iter ")
    ckpts = sorted((tmp_path / "tiny" / "ckpt").glob("*.pth.tar"))
    assert ckpts, "the run saved before the env went bad"
    assert "the newest finite checkpoint is " + str(tmp_path / "tiny" / "ckpt" / "iteration_") in line
    for ckpt in ckpts:
        assert all_finite(torch.load(ckpt, weights_only=True)), ckpt
    log = (tmp_path / "tiny" / "log" / "train.log").read_text()
    assert f"the env returned {what}" in log.splitlines()[-1]


def test_a_diverging_learner_stops_before_a_non_finite_checkpoint(tmp_path):
    config = tiny_config(tmp_path, save_every=1, extra="main_config.policy.learn.learning_rate = 1e38\n")
    proc = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "200", cwd=tmp_path)
    line = stopped_by(proc, "after the update to train_iter ")
    assert any(f"the {kind} " in line or f"the learner's '{kind}" in line
               for kind in ("weight", "gradient", "total_loss", "policy_loss", "value_loss")), line
    for ckpt in (tmp_path / "tiny" / "ckpt").glob("*.pth.tar"):
        assert all_finite(torch.load(ckpt, weights_only=True)), ckpt
