"""entry.ray_runs on the session's local Ray: a run whose worker is SIGKILLed resumes and ends bit for bit
as an uninterrupted one; bad input is one sentence before anything is written."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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
"""
HORIZON, FINAL = "5120", "iteration_800.pth.tar"  # 20 collects of 256 steps, 40 updates each


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


def test_a_killed_worker_costs_only_time(tmp_path, address):
    from ding_lite.distributed import runs, task

    config = tmp_path / "rr_config.py"
    config.write_text(CONFIG)
    work, reference = tmp_path / "work", tmp_path / "reference"
    work.mkdir()
    proc = start_cli("entry.ray_runs", "-c", str(config), "--seeds", "0-1", "--max-env-step", HORIZON,
                     "--address", address, cwd=work)
    log = work / "rr_seed1" / "log" / "train.log"
    pid = wait_for(lambda: logged_pid(log, "ray_runs: started") if list(log.parent.parent.glob("ckpt/iteration_*"))
                   else None, what="run rr_seed1 to write its first checkpoint")
    os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert sum(line.startswith(("rr_seed0:", "rr_seed1:")) for line in lines) == 2, out
    assert any(line.startswith("rr_seed1:") and "resumed after a lost worker" in line for line in lines), out
    assert "Runs:" in lines and "rr_seed1 " in out
    assert "ray_runs: resumed in pid" in log.read_text()
    spec, = runs.plan(str(config), [1], base_dir=reference, max_env_step=int(HORIZON))
    task.execute(spec)  # the same run, never interrupted, in this process
    got = torch.load(work / "rr_seed1" / "ckpt" / FINAL, weights_only=True)
    assert_same(got, torch.load(reference / "rr_seed1" / "ckpt" / FINAL, weights_only=True))
    plot = run_cli("entry.plot", "rr_seed0", "rr_seed1", "--group", "-o", "seeds.png", cwd=work)
    assert plot.returncode == 0 and "wrote seeds.png (2 runs)" in plot.stdout, plot.stderr


def test_unreachable_address_is_one_sentence_within_seconds(tmp_path):
    start = time.monotonic()
    result = run_cli("entry.ray_runs", "-c", "cartpole_ppo_config.py", "--address", "127.0.0.1:9", cwd=tmp_path)
    assert time.monotonic() - start < 15
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
    code = ("import sys; sys.modules['ray'] = None; from entry.ray_runs import main; "
            "sys.exit(main(['-c', 'cartpole_ppo_config.py']))")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=tmp_path, env=cli_env(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == 'error: entry.ray_runs needs ray, which is not installed: pip install -e ".[ray]"'
    assert list(tmp_path.iterdir()) == []
