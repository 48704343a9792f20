"""Weights & Biases from the CLI, offline (``WANDB_MODE=offline``, no network), its run files read back: the same
scalars as TensorBoard on the same two axes, the compiled config and the videos; kill -9 then ``--resume latest``
continues the same W&B run with no step repeated or going back; a missing or failing W&B never stops training."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ding_lite.utils.wandb_files import config, history, run_files, run_ids
from tests.e2e.conftest import cli_env, read_scalars
from tests.e2e.test_resume import comparable_scalars

ONPOLICY = "entry.serial_onpolicy"
CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'run'
main_config.env.update(evaluator_env_num=2, n_evaluator_episode=2)
main_config.policy.collect.n_sample = 64
main_config.policy.eval.evaluator.eval_freq = 10
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 40
"""
AXES = {"_iter/": "train_iter", "_step/": "envstep"}


def offline_env(**extra: str) -> dict[str, str]:
    return {**cli_env(), "WANDB_MODE": "offline", **extra}


def start(workdir: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    (workdir / "run_config.py").write_text(CONFIG)
    return subprocess.Popen([sys.executable, "-m", ONPOLICY, "-c", "run_config.py", *args], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    return err


def wandb_points(rows: list[dict]) -> dict[str, list[tuple[int, float]]]:
    """key -> [(step on the key's own axis, value)], in the order W&B received them."""
    points: dict[str, list[tuple[int, float]]] = {}
    for row in rows:
        for key, value in row.items():
            axis = next((name for part, name in AXES.items() if part in key), None)
            if axis is not None and "/video" not in key:  # a video's fields come as video/_type, video/path, ...
                points.setdefault(key, []).append((row[axis], value))
    return points


def wait_for_eval_past(proc: subprocess.Popen, train_iter: int) -> None:
    """Read the run's progress lines until one reports an evaluation past ``train_iter`` (W&B got its rows then)."""
    for line in proc.stdout:
        match = re.search(r"train_iter ([\d,]+)(?:/[\d,]+)? \| eval return", line)
        if match and int(match[1].replace(",", "")) > train_iter:
            return
    raise AssertionError(f"the run ended before an evaluation past train_iter {train_iter}: {proc.stderr.read()}")


def test_kill9_then_resume_latest_continues_the_same_wandb_run(tmp_path):
    proc = start(tmp_path, "--wandb", "ding-lite-test", "--max-train-iter", "100000", env=offline_env())
    run = tmp_path / "run"
    wait_for_eval_past(proc, 40)  # the first checkpoint is at 40: W&B was handed steps past it
    assert (run / "ckpt" / "iteration_40.pth.tar").exists()
    while not any(row.get("train_iter", 0) > 40 for f in (run / "log" / "wandb").glob("*/*.wandb")
                  for row in history(f)):  # W&B writes its file every second: wait until it holds them too
        assert proc.poll() is None, "the run ended before W&B wrote past its checkpoint"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    held = max(row["train_iter"] for f in (run / "log" / "wandb").glob("*/*.wandb") for row in history(f))
    horizon = str(held + 40)  # the resumed session starts at its checkpoint, before what W&B holds, and goes past it

    finish(start(tmp_path, "--resume", "latest", "--wandb", "ding-lite-test", "--max-train-iter", horizon,
                 env=offline_env()))
    # the run stops at the first cycle end at or past the horizon, which the kill's timing decides
    final = max((run / "ckpt").glob("iteration_*.pth.tar"), key=lambda p: int(p.name.split("_")[1].split(".")[0]))
    assert int(final.name.split("_")[1].split(".")[0]) >= int(horizon)
    run_id = torch.load(final, weights_only=True)["wandb_run_id"]
    files = run_files(run / "log" / "wandb", run_id)
    assert len(files) == 2 and all(run_ids(f) == {run_id} for f in files)  # one W&B run, two sessions
    assert max(row["train_iter"] for row in history(files[0])) > 40  # the resume had steps to skip
    assert len(list((run / "log" / "wandb").glob("offline-run-*"))) == 2
    rows = [row for f in files for row in history(f)]
    steps = [row["_step"] for row in rows]
    assert steps == list(range(len(rows)))  # W&B's own step: never repeated, never back, across the sessions
    tensorboard = comparable_scalars(run)
    points = wandb_points(rows)
    assert {k for k in points if "per_sec" not in k} == tensorboard.keys()
    for key, got in points.items():
        assert [s for s, _ in got] == sorted({s for s, _ in got}), f"{key}: a step repeats or goes back"
        if key in tensorboard:  # W&B holds TensorBoard's points (float32 there), the resumed run's curve
            want = {s: v for s, v in tensorboard[key]}
            assert all(np.float32(v) == want[s] for s, v in got), key
            assert got[-1][0] == tensorboard[key][-1][0], key
    assert config(files[0])["exp_name"] == "run" and config(files[0])["policy"]["type"] == "ppo"


def test_wandb_logs_tensorboards_curves_and_the_eval_videos(tmp_path):
    (tmp_path / "run_config.py").write_text(CONFIG + "main_config.env.replay_path = 'videos'\n"
                                            "main_config.wandb = dict(project='ding-lite-test')\n")
    result = subprocess.run([sys.executable, "-m", ONPOLICY, "-c", "run_config.py", "--max-train-iter", "20"],
                            check=False, cwd=tmp_path, env=offline_env(), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    (file,) = (tmp_path / "run" / "log" / "wandb").glob("offline-run-*/run-*.wandb")
    rows = history(file)
    tensorboard = read_scalars(tmp_path / "run" / "log" / "serial")
    points = wandb_points(rows)
    assert points.keys() == tensorboard.keys()
    for key, want in tensorboard.items():
        assert [(s, np.float32(v)) for s, v in points[key]] == want, key
    videos = [(row["train_iter"], row["evaluator_iter/video/_type"], row["evaluator_iter/video/path"])
              for row in rows if "evaluator_iter/video/_type" in row]
    assert [it for it, _, _ in videos] == [s for s, _ in tensorboard["evaluator_iter/reward_mean"]] == [0, 10]
    assert all(kind == "video-file" and path.endswith(".mp4") for _, kind, path in videos)


@pytest.mark.parametrize("failure", ["missing", "unreachable"])
def test_a_missing_or_failing_wandb_is_one_sentence_and_the_run_trains(failure, tmp_path):
    env = offline_env()
    if failure == "missing":
        hide = tmp_path / "hide"
        (hide / "wandb").mkdir(parents=True)
        (hide / "wandb" / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
        env["PYTHONPATH"] = os.pathsep.join([str(hide), env["PYTHONPATH"]])
        expected = "Weights & Biases is not installed, so this run logs to TensorBoard only"
    else:  # a W&B server that refuses every connection, and a short wait for it
        env.update(WANDB_MODE="online", WANDB_BASE_URL="http://127.0.0.1:9", WANDB_API_KEY="0" * 40,
                   WANDB_INIT_TIMEOUT="3")
        expected = "Weights & Biases could not start ("
    err = finish(start(tmp_path, "--wandb", "ding-lite-test", "--max-train-iter", "40", env=env))
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"warning: {expected}"), err
    assert "the run goes on" in err or "TensorBoard only" in err
    assert (tmp_path / "run" / "ckpt" / "iteration_40.pth.tar").exists()
    evals = read_scalars(tmp_path / "run" / "log" / "serial")["evaluator_iter/reward_mean"]
    assert [step for step, _ in evals] == [0, 10, 20, 30]
