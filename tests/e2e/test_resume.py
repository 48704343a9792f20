"""Checkpoints and resume from the command line: exactness, kill -9, SIGTERM, bad files, config edits."""
from __future__ import annotations

import os
import random
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch

from tests.e2e.conftest import read_scalars, run_cli, start_cli

ONPOLICY = "entry.serial_onpolicy"
CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'exact'
main_config.env.stop_value = 1000  # never reached: runs stop on --max-train-iter
main_config.policy.learn.learner.hook.save_ckpt_after_iter = {save_every}
main_config.policy.learn.learner.max_ckpt_keep = 5
"""
HORIZON = "240"


def write_config(directory: Path, save_every: int = 40, extra: str = "") -> Path:
    path = directory / "exact_config.py"
    path.write_text(CONFIG.format(save_every=save_every) + extra)
    return path


def final_state(run: Path, horizon: str = HORIZON) -> dict:
    return torch.load(run / "ckpt" / f"iteration_{horizon}.pth.tar", weights_only=True)


def comparable_scalars(run: Path) -> dict:
    """Every TensorBoard scalar except the wall-clock-derived ones."""
    return {tag: points for tag, points in read_scalars(run / "log" / "serial").items() if "per_sec" not in tag}


def assert_same_tensors(a, b, where=""):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same_tensors(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_tensors(x, y, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    else:
        assert a == b, where


def assert_same_side_state(run: Path, reference: Path, got: dict, want: dict) -> None:
    """The replay buffer a checkpoint lists: its manifest (newest row, counters, priorities) and every segment
    file it needs, byte for byte."""
    assert ("side_state" in got) == ("side_state" in want)
    assert_same_tensors(got.get("side_state", {}), want.get("side_state", {}), "side_state")
    for manifest in want.get("side_state", {}).values():
        for segment, _, _ in manifest["segments"]:
            path = Path("ckpt") / segment
            assert (run / path).read_bytes() == (reference / path).read_bytes(), path


def assert_same_run(run: Path, reference: Path, horizon: str = HORIZON) -> None:
    got, want = final_state(run, horizon), final_state(reference, horizon)
    for key in ("policy", "learner", "collector", "evaluator", "rng", "train_iter", "envstep"):
        assert_same_tensors(got[key], want[key], key)
    assert_same_side_state(run, reference, got, want)
    scalars, expected = comparable_scalars(run), comparable_scalars(reference)
    assert scalars.keys() == expected.keys()
    for tag, points in scalars.items():
        steps = [s for s, _ in points]
        assert steps == sorted(set(steps)), f"{tag}: steps repeat or go back: {steps}"
        assert points == expected[tag], tag


def kill9_after_first_checkpoint(proc: subprocess.Popen, ckpt_dir: Path, delay: float) -> None:
    """SIGKILL the run ``delay`` seconds after its first periodic checkpoint, asserting it was still running."""
    deadline = time.time() + 60
    while not list(ckpt_dir.glob("iteration_*.pth.tar")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(delay)
    assert proc.poll() is None, "the run ended before the kill: this test would not test kill -9"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def kill9_after_a_prune(proc: subprocess.Popen, ckpt_dir: Path, newer: str, pruned: str) -> None:
    """SIGKILL the run once checkpoint ``newer`` exists and ``pruned`` has been pruned (max_ckpt_keep)."""
    deadline = time.time() + 120
    gone = lambda: (ckpt_dir / newer).exists() and not (ckpt_dir / pruned).exists()
    while not gone() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.005)
    assert proc.poll() is None and gone(), "the run ended or never pruned before the kill"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """One uninterrupted run to HORIZON, the yardstick for every resumed run."""
    work = tmp_path_factory.mktemp("reference")
    config = write_config(work)
    result = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", HORIZON, cwd=work)
    assert result.returncode == 0, result.stderr
    return work / "exact"


def test_stop_then_resume_latest_is_bit_identical(tmp_path, reference):
    config = write_config(tmp_path)
    first = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "120", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", HORIZON, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exact", "exact_config.py"]  # same run dir
    log = (tmp_path / "exact" / "log" / "train.log").read_text()
    assert "resumed from" in log and log.count("run dir") == 2  # text log appended, not replaced
    assert_same_run(tmp_path / "exact", reference)


def test_without_new_horizon_the_old_one_stands(tmp_path):
    config = write_config(tmp_path)
    assert run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "80", cwd=tmp_path).returncode == 0
    again = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "reached max_train_iter 80" in again.stdout  # stopped at once: the old horizon stands


def test_kill9_at_an_arbitrary_moment_then_resume_is_bit_identical(tmp_path, reference):
    config = write_config(tmp_path)
    rng = random.Random(os.getpid())
    proc = start_cli(ONPOLICY, "-c", str(config), "--max-train-iter", HORIZON, cwd=tmp_path)
    # a whole 240-update run takes well under a second
    kill9_after_first_checkpoint(proc, tmp_path / "exact" / "ckpt", rng.uniform(0.0, 0.15))
    resumed = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", HORIZON, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(tmp_path / "exact", reference)


def test_resume_from_an_older_checkpoint_cuts_tensorboard_back_to_it(tmp_path, reference):
    """The run already logged up to 240; resuming at 120 must not show steps 120..240 twice."""
    run = tmp_path / "exact"
    shutil.copytree(reference, run)
    config = write_config(tmp_path)
    ckpt = run / "ckpt" / "iteration_120.pth.tar"
    result = run_cli(ONPOLICY, "-c", str(config), "--resume", str(ckpt), "--max-train-iter", HORIZON, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_run(run, reference)


def test_kill9_during_saves_never_leaves_a_broken_newest_checkpoint(tmp_path):
    """Saving every update cycle, killed at random moments: what resume would pick always loads."""
    from ding_lite.utils.checkpoint_io import load_checkpoint, newest_checkpoint

    config = write_config(tmp_path, save_every=1)
    rng = random.Random(1234)
    ckpt_dir = tmp_path / "exact" / "ckpt"
    for attempt in range(5):
        args = ["--max-train-iter", "100000"] + (["--resume", "latest"] if attempt else [])
        proc = start_cli(ONPOLICY, "-c", str(config), *args, cwd=tmp_path)
        count = len(list(ckpt_dir.glob("iteration_*.pth.tar"))) if ckpt_dir.exists() else 0
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if ckpt_dir.exists() and newest_checkpoint(str(ckpt_dir)) and len(list(ckpt_dir.iterdir())) > count:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        newest = newest_checkpoint(str(ckpt_dir))
        assert newest is not None
        state = load_checkpoint(newest)
        assert Path(newest).name == f"iteration_{state['train_iter']}.pth.tar"
        for path in ckpt_dir.glob("*.pth.tar"):  # every file under a final name is complete
            load_checkpoint(str(path))


def test_sigterm_saves_prints_the_resume_command_and_exits_75(tmp_path):
    config = write_config(tmp_path, save_every=100000)
    proc = start_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "100000", cwd=tmp_path)
    log = tmp_path / "exact" / "log" / "train.log"
    deadline = time.time() + 60
    while time.time() < deadline and not (log.exists() and "train_iter 80" in log.read_text()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 75, err  # interrupted, resumable
    assert "received SIGTERM" in out
    resume_line = next(line for line in out.splitlines() if line.startswith("Resume with: "))
    assert f"--resume {tmp_path / 'exact'}" in resume_line
    ckpts = list((tmp_path / "exact" / "ckpt").glob("iteration_*.pth.tar"))
    assert len(ckpts) == 1
    python, dash_m, module, *args = shlex.split(resume_line.removeprefix("Resume with: "))
    assert (python, dash_m, module) == ("python", "-m", ONPOLICY)
    resumed = run_cli(module, *args, "--max-train-iter", "1", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed from" in log.read_text()


def test_di_engine_style_config_edit_resume_and_finetune(tmp_path):
    config = write_config(tmp_path)
    assert run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "80", cwd=tmp_path).returncode == 0
    ckpt = tmp_path / "exact" / "ckpt" / "iteration_80.pth.tar"

    finetune = write_config(tmp_path, extra=f"main_config.policy.learn.learner.hook.load_ckpt_before_run = {str(ckpt)!r}\n")
    result = run_cli(ONPOLICY, "-c", str(finetune), "--max-train-iter", "40", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    new_runs = [p for p in tmp_path.iterdir() if p.name.startswith("exact_") and p.is_dir()]
    assert len(new_runs) == 1  # fine-tuning starts a new run with fresh counters
    assert "fine-tuning" in (new_runs[0] / "log" / "train.log").read_text()
    assert (new_runs[0] / "ckpt" / "iteration_40.pth.tar").exists()

    resume = write_config(tmp_path, extra=(
        f"main_config.policy.learn.learner.hook.load_ckpt_before_run = {str(ckpt)!r}\n"
        "main_config.policy.learn.resume_training = True\n"))
    result = run_cli(ONPOLICY, "-c", str(resume), "--max-train-iter", "120", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "exact" / "ckpt" / "iteration_120.pth.tar").exists()  # continued in the original run
    scalars = read_scalars(tmp_path / "exact" / "log" / "serial")
    steps = [s for s, _ in scalars["evaluator_iter/reward_mean"]]
    assert steps == [0, 40, 80]  # one line: evals at 0, 40 (first run) and 80 (after resume)


def test_config_edits_on_resume(tmp_path):
    config = write_config(tmp_path)
    assert run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "40", cwd=tmp_path).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "exact").rglob("*")}

    shaped = write_config(tmp_path, extra="main_config.policy.model.encoder_hidden_size_list = [32, 32]\n"
                                          "main_config.env.collector_env_num = 4\n")
    refused = run_cli(ONPOLICY, "-c", str(shaped), "--resume", "latest", cwd=tmp_path)
    assert refused.returncode == 2
    assert "env.collector_env_num, policy.model.encoder_hidden_size_list" in refused.stderr
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "exact").rglob("*")} == before

    edited = write_config(tmp_path, extra="main_config.policy.learn.learning_rate = 0.0005\n"
                                          "main_config.policy.eval.evaluator.eval_freq = 80\n")
    result = run_cli(ONPOLICY, "-c", str(edited), "--resume", "latest", "--max-train-iter", "80", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        "warning: resuming with config changes that the checkpoint did not have: policy.learn.learning_rate"]
    state = torch.load(tmp_path / "exact" / "ckpt" / "iteration_80.pth.tar", weights_only=True)
    assert state["policy"]["optimizer"]["lr"] == 0.0005
