"""entry.ray_runs on the session's local Ray: a run whose worker or env actor is SIGKILLed resumes and ends
bit for bit as an uninterrupted one; bad input is one sentence before anything is written."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.e2e.conftest import cli_env, run_cli, start_cli
from tests.e2e.ray_helpers import logged_pid, ray_address, wait_for

CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'rr'
main_config.env.stop_value = 1000  # never reached: runs stop on their horizon
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 40
main_config.env.manager = dict(type='ray', ray=dict(num_actors=2, num_cpus=0.1))  # 2 runs x 4 actors on 2 CPUs
main_config.policy.eval.evaluator.eval_freq = 200  # evaluations step envs in actors too: few of them
"""
HORIZON, FINAL = "2560", "iteration_400.pth.tar"  # 10 collects of 256 steps, 40 updates each


@pytest.fixture(scope="module")
def address() -> str:
    return ray_address()


def assert_same(a, b, path: str = "") -> None:
    """Bit-identical checkpoint contents (the config aside: a resumed run names the checkpoint it came from)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            if key != "config":
                assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), path
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), path
    else:
        assert a == b or (isinstance(a, float) and np.isnan(a) and np.isnan(b)), path


def started(run_dir: Path, marker: str) -> int | None:
    """The pid after ``marker`` in the run's log, once the run has written a checkpoint."""
    return logged_pid(run_dir / "log" / "train.log", marker) if list(run_dir.glob("ckpt/iteration_*")) else None


def test_a_killed_worker_or_env_actor_costs_only_time(tmp_path, address):
    from ding_lite.distributed import runs, task

    config = tmp_path / "rr_config.py"
    config.write_text(CONFIG)
    work, reference = tmp_path / "work", tmp_path / "reference"
    work.mkdir()
    proc = start_cli("entry.ray_runs", "-c", str(config), "--seeds", "0-1", "--max-env-step", HORIZON,
                     "--num-cpus", "0.5", "--address", address, cwd=work)
    os.kill(wait_for(lambda: started(work / "rr_seed1", "ray_runs: started"), what="rr_seed1's checkpoint"),
            signal.SIGKILL)  # the run's worker process
    os.kill(wait_for(lambda: started(work / "rr_seed0", "env manager ray (2 actors of 4 envs,"),
                     what="rr_seed0's checkpoint"), signal.SIGKILL)  # one of its collector's env actors
    out, err = proc.communicate(timeout=900)  # a hang guard: a loaded machine is slow
    assert proc.returncode == 0, err
    lines = out.splitlines()
    for seed in (0, 1):
        assert any(line.startswith(f"rr_seed{seed}:") and "resumed from iteration_" in line for line in lines), out
        log = (work / f"rr_seed{seed}" / "log" / "train.log").read_text()
        assert "ray_runs: resumed in pid" in log and "no longer exact" not in log
    assert "Runs:" in lines and "rr_seed1 " in out
    for spec in runs.plan(str(config), [0, 1], base_dir=reference, max_env_step=int(HORIZON)):
        spec.main["env"]["manager"]["type"] = "sync"  # steps as 'ray' does (test_ray_manager), in this process
        task.execute(spec)  # the same runs, never interrupted
        got = torch.load(work / spec.name / "ckpt" / FINAL, weights_only=True)
        assert_same(got, torch.load(reference / spec.name / "ckpt" / FINAL, weights_only=True))
    plot = run_cli("entry.plot", "rr_seed0", "rr_seed1", "--group", "-o", "seeds.png", cwd=work)
    assert plot.returncode == 0 and "wrote seeds.png (2 runs)" in plot.stdout, plot.stderr


def test_unreachable_address_is_one_sentence(tmp_path):
    # no timing assertion (a loaded machine is slow): run_cli's own guard is what would catch a hang
    result = run_cli("entry.ray_runs", "-c", "cartpole_ppo_config.py", "--address", "127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "--address '127.0.0.1:9' cannot be reached" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_grid_key_typo_is_refused_before_any_task(tmp_path):
    result = run_cli("entry.ray_runs", "-c", "cartpole_ppo_config.py", "--seeds", "0-3",
                     "--grid", "policy.learn.learnin_rate=1e-3,3e-4", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == ("error: unknown config key 'policy.learn.learnin_rate'; "
                                     "did you mean 'learning_rate'?")
    assert list(tmp_path.iterdir()) == []


def test_without_ray_installed_it_names_the_extra(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"
            "from ding_lite.config import ConfigError\n"
            "from ding_lite.envs.managers import make_manager\n"
            "try:\n    make_manager('CartPole-v0', 2, 0, 'ray')\n"
            "except ConfigError as exc:\n    print(exc)\n"
            "from entry.ray_runs import main; sys.exit(main(['-c', 'cartpole_ppo_config.py']))")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=tmp_path, env=cli_env(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout.strip() == ("env.manager.type 'ray' needs ray, which is not installed: "
                                     'pip install -e ".[ray]"')
    assert result.stderr.strip() == 'error: entry.ray_runs needs ray, which is not installed: pip install -e ".[ray]"'
    assert list(tmp_path.iterdir()) == []
