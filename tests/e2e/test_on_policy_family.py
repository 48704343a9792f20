"""A2C, TRPO, off-policy PPO and PPG from the real CLI on DI-engine-format configs; kill -9 then resume is exact for
A2C and TRPO (the linear baseline's fit included); garage's restore-and-resume with a new batch; bad input."""
from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ding_lite.config import ConfigError
from ding_lite.pipeline import restore_pipeline
from tests.e2e.conftest import read_scalars, run_cli, start_cli
from tests.e2e.test_resume import assert_same_run, final_state, kill9_after_first_checkpoint

CONFIGS = Path(__file__).parent / "dizoo_format_configs"
ONPOLICY, OFFPOLICY = "entry.serial_onpolicy", "entry.serial_offpolicy"
EXACT = {  # type: (config, checkpoint every, horizon in train_iters, kill delay after the first checkpoint)
    "a2c": ("a2c_cartpole_config.py", 50, "300", 0.15),
    "trpo": ("trpo_cartpole_config.py", 4, "16", 0.1),
}


def exact_config(directory: Path, kind: str) -> Path:
    file, save_every, _, _ = EXACT[kind]
    path = directory / f"exact_{kind}_config.py"
    path.write_text((CONFIGS / file).read_text() + (
        f"main_config.exp_name = 'exact_{kind}'\n"
        "main_config.env.stop_value = 1000  # never reached: runs stop on --max-train-iter\n"
        f"main_config.policy.learn.learner.hook.save_ckpt_after_iter = {save_every}\n"))
    return path


@pytest.mark.parametrize("kind, module", [("a2c", ONPOLICY), ("trpo", ONPOLICY), ("ppo_offpolicy", OFFPOLICY),
                                          ("ppg", OFFPOLICY)])
def test_each_type_reaches_stop_value_from_the_cli(kind, module, tmp_path):
    result = run_cli(module, "-c", str(CONFIGS / f"{kind}_cartpole_config.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "reached stop_value 195" in result.stdout
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert read_scalars(run / "log" / "serial")["evaluator_iter/reward_mean"][-1][1] >= 195


@pytest.mark.parametrize("kind", sorted(EXACT))
def test_kill9_then_resume_latest_is_bit_identical(kind, tmp_path):
    horizon, delay = EXACT[kind][2], EXACT[kind][3]
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    for work in (straight, broken):
        work.mkdir()
        exact_config(work, kind)
    config = f"exact_{kind}_config.py"
    with ThreadPoolExecutor(2) as pool:
        reference = pool.submit(run_cli, ONPOLICY, "-c", config, "--max-train-iter", horizon, cwd=straight)
        proc = start_cli(ONPOLICY, "-c", config, "--max-train-iter", horizon, cwd=broken)
        kill9_after_first_checkpoint(proc, broken / f"exact_{kind}" / "ckpt", random.uniform(0.0, delay))
        assert reference.result().returncode == 0
    resumed = run_cli(ONPOLICY, "-c", config, "--resume", "latest", "--max-train-iter", horizon, cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert "-- Train Args --" in resumed.stdout and "last_train_iter" in resumed.stdout
    assert_same_run(broken / f"exact_{kind}", straight / f"exact_{kind}", horizon)
    if kind == "trpo":  # the refitted baseline and the episode clock are part of what matched
        state = final_state(broken / f"exact_{kind}", horizon)["policy"]
        assert state["baseline"]["coeffs"].abs().sum() > 0 and state["episode_steps"]["steps"].numel() == 8


def test_garage_restore_then_resume_with_a_new_batch_prints_the_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run_cli(ONPOLICY, "-c", str(CONFIGS / "trpo_cartpole_config.py"), "--max-env-step", "2048", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    run = tmp_path / "lite_trpo_cartpole"
    trainer = restore_pipeline(str(run))
    console = io.StringIO()
    trainer.run(max_env_step=2048 + 2 * 1536, n_sample=1536, console=console)
    lines = console.getvalue().splitlines()
    assert sum("per-iteration batch policy.collect.n_sample changed from 1,024 to 1,536" in line
               for line in lines) == 1  # the batch change is said once on the console too
    start = next(i for i, line in enumerate(lines) if line.startswith("-- Train Args --"))
    table = lines[start:start + 9]
    assert [line.split("  ")[0] for line in table] == [
        "-- Train Args --", "max_env_step", "max_train_iter", "n_sample", "seed", "-- Stats --",
        "last_train_iter", "total_env_steps", "best_eval_return"]
    assert table[1].endswith(" 5,120") and table[3].endswith(" 1,536 (was 1,024)")
    assert table[6].endswith(" 2") and table[7].endswith(" 2,048")
    assert trainer.collector.envstep == 5120 and trainer.learner.train_iter == 4  # two steps of the new batch
    log = (run / "log" / "train.log").read_text()
    assert log.count("per-iteration batch policy.collect.n_sample changed from 1,024 to 1,536") == 1

    before = {p: p.stat().st_mtime_ns for p in run.rglob("*")}
    with pytest.raises(ConfigError, match=r"^n_episode=4 was passed, but the trpo policy's collector takes its "
                                          r"per-iteration batch from policy\.collect\.n_sample: pass n_sample"):
        restore_pipeline(str(run)).run(n_episode=4)
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*")} == before


@pytest.mark.parametrize("edit, message", [
    ("max_kl_step = 0.0", "error: config key 'policy.learn.max_kl_step' must be > 0 (the KL trust region), got 0.0."),
    ("cg_iters = 0", "error: config key 'policy.learn.cg_iters' must be >= 1 (conjugate-gradient iterations), got 0."),
])
def test_an_impossible_trust_region_or_cg_count_is_one_sentence_before_anything_is_written(edit, message, tmp_path):
    config = tmp_path / "bad_trpo_config.py"
    config.write_text((CONFIGS / "trpo_cartpole_config.py").read_text() + f"main_config.policy.learn.{edit}\n")
    result = run_cli(ONPOLICY, "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [message]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad_trpo_config.py"]
