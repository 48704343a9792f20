"""The Q-learning family from the CLI: each head type on a DI-engine-format file, and its bad inputs."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli

CONFIGS = Path(__file__).parent / "dizoo_format_configs"
OFFPOLICY = "entry.serial_offpolicy"


@pytest.mark.parametrize("algo", ["c51", "qrdqn", "iqn", "rainbow"])
def test_each_head_trains_from_a_dizoo_format_file(algo, tmp_path):
    result = run_cli(OFFPOLICY, "-c", str(CONFIGS / f"{algo}_cartpole_config.py"), "--max-env-step", "800",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = tmp_path / f"lite_{algo}_cartpole"
    assert list((run / "ckpt").glob("iteration_*.pth.tar"))
    log = (run / "log" / "train.log").read_text()
    assert "'type': 'deque'," in (run / "total_config.py").read_text() and "replay_buffer" not in log  # DI's meaning
    assert sorted(p.name for p in (run / "video").glob("iteration_0_*.mp4")) == [  # env.replay_path's videos
        f"iteration_0_envstep_0_episode_{k}.mp4" for k in range(1, 6)]


BAD = {
    "v_min": ("c51", "main_config.policy.model.v_min = 10",
              "config key 'policy.model.v_min' is 10, but it must be below policy.model.v_max (10)."),
    "n_atom": ("c51", "main_config.policy.model.n_atom = 1", "config key 'policy.model.n_atom' must be an int >= 2"),
    "is_weight": ("qrdqn", "main_config.policy.priority_IS_weight = True",
                  ("config key 'policy.priority_IS_weight' is True, but importance-sampling weights need "
                   "prioritized replay: set policy.priority=True too.")),
    "save_seconds": ("c51", "main_config.policy.learn.learner = dict(hook=dict(save_ckpt_every_seconds=-5))",
                     "config key 'policy.learn.learner.hook.save_ckpt_every_seconds' must be >= 0, got -5."),
    "save_seconds_type": ("c51", "main_config.policy.learn.learner = dict(hook=dict(save_ckpt_every_seconds='10m'))",
                          "config key 'policy.learn.learner.hook.save_ckpt_every_seconds' must be int or float"),
    "unwritable_base": ("c51", "main_config.exp_name = '/proc/ding_lite_run'",  # /proc refuses even root
                        "experiment dir '/proc/ding_lite_run' cannot be created: '/proc' is not writable"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_sentence_before_anything_is_written(case, tmp_path):
    algo, edit, message = BAD[case]
    config = tmp_path / "bad_config.py"
    config.write_text(f"from tests.e2e.dizoo_format_configs.{algo}_cartpole_config import main_config, create_config\n"
                      f"{edit}\n")
    result = run_cli(OFFPOLICY, "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad_config.py"]


def test_a_checkpoint_of_another_head_type_is_refused_in_one_sentence(tmp_path):
    trained = run_cli(OFFPOLICY, "-c", str(CONFIGS / "qrdqn_cartpole_config.py"), "--max-env-step", "400",
                      cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    ckpt = min((tmp_path / "lite_qrdqn_cartpole" / "ckpt").glob("iteration_*.pth.tar"))
    config = tmp_path / "finetune_config.py"
    config.write_text("from tests.e2e.dizoo_format_configs.c51_cartpole_config import main_config, create_config\n"
                      f"main_config.policy.learn.learner = dict(hook=dict(load_ckpt_before_run={str(ckpt)!r}))\n")
    result = run_cli(OFFPOLICY, "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(ckpt) in result.stderr and "qrdqn" in result.stderr
    assert not (tmp_path / "lite_c51_cartpole").exists()


def test_enjoy_plays_the_checkpoint_named_by_policy_load_path(tmp_path):
    config = str(CONFIGS / "c51_cartpole_config.py")
    assert run_cli(OFFPOLICY, "-c", config, "--max-env-step", "400", cwd=tmp_path).returncode == 0
    played = run_cli("entry.serial_eval", "-c", config, "--episodes", "1", cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    assert "with lite_c51_cartpole/ckpt/ckpt_best.pth.tar" in played.stdout
    missing = run_cli("entry.serial_eval", "-c", config, "--episodes", "1", cwd=tmp_path / "lite_c51_cartpole")
    assert missing.returncode == 2
    assert "config key 'policy.load_path' names 'lite_c51_cartpole/ckpt/ckpt_best.pth.tar', which does not exist" \
        in missing.stderr
