"""The core workflow from the command line: train PPO on CartPole, see it in TensorBoard."""
from __future__ import annotations

import torch

from tests.e2e.conftest import read_scalars, run_cli


def test_shipped_ppo_config_solves_cartpole_from_any_directory(workdir):
    result = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "-s", "0", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no third-party banners or warnings on a normal run
    last = result.stdout.strip().splitlines()[-1]
    assert "reached stop_value 195" in last and "tensorboard --logdir" in last
    run = workdir / "cartpole_ppo"
    assert (run / "total_config.py").is_file() and (run / "log" / "train.log").is_file()
    ckpts = sorted(p.name for p in (run / "ckpt").iterdir())
    assert "ckpt_best.pth.tar" in ckpts
    iterations = [p for p in (run / "ckpt").glob("iteration_*.pth.tar")]
    assert iterations
    for path in iterations:  # the name is the train_iter of the state inside
        state = torch.load(path, weights_only=True)
        assert path.name == f"iteration_{state['train_iter']}.pth.tar"

    scalars = read_scalars(run / "log" / "serial")
    evals_iter = scalars["evaluator_iter/reward_mean"]
    evals_step = scalars["evaluator_step/reward_mean"]
    assert evals_iter[-1][1] >= 195 and evals_step[-1][1] == evals_iter[-1][1]
    assert evals_step[-1][0] > evals_iter[-1][0]  # envstep axis vs train_iter axis
    for tag in ("evaluator_iter/reward_std", "evaluator_iter/reward_min", "evaluator_iter/reward_max",
                "learner_iter/policy_loss", "learner_iter/value_loss", "learner_iter/entropy",
                "learner_iter/cur_lr", "learner_iter/grad_norm", "learner_step/total_loss",
                "collector_step/reward_mean", "collector_step/episode_length_mean", "collector_iter/envstep_per_sec"):
        assert scalars[tag], tag


def test_same_seed_same_run_bit_for_bit(workdir):
    outs = []
    for name in ("a", "b"):
        (workdir / name).mkdir()
        result = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "-s", "3",
                         "--max-train-iter", "80", cwd=workdir / name)
        assert result.returncode == 0, result.stderr
        outs.append(torch.load(workdir / name / "cartpole_ppo" / "ckpt" / "iteration_80.pth.tar", weights_only=True))
    for key, value in outs[0]["policy"]["model"].items():
        assert torch.equal(value, outs[1]["policy"]["model"][key]), key


def test_typo_fails_fast_and_creates_nothing(workdir):
    cfg = workdir / "typo_config.py"
    cfg.write_text("main_config = dict(exp_name='typo', policy=dict(learn=dict(batch_sise=64)))\n")
    result = run_cli("entry.serial_onpolicy", "-c", str(cfg), cwd=workdir)
    assert result.returncode != 0
    assert "unknown config key 'policy.learn.batch_sise'; did you mean 'batch_size'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in workdir.iterdir()) == ["typo_config.py"]


def test_second_run_gets_a_timestamped_dir_and_stop_criteria_flags(workdir):
    for _ in range(2):
        result = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-env-step", "300",
                         cwd=workdir)
        assert result.returncode == 0, result.stderr
        assert "reached max_env_step 300" in result.stdout
    runs = sorted(p.name for p in workdir.iterdir())
    assert runs[0] == "cartpole_ppo" and runs[1].startswith("cartpole_ppo_") and len(runs) == 2


def test_help_works(workdir):
    result = run_cli("entry.serial_onpolicy", "--help", cwd=workdir)
    assert result.returncode == 0 and "--max-env-step" in result.stdout and "--resume" in result.stdout
