"""Evaluation videos (``env.replay_path``) from the CLI: a video per evaluation episode whose frame count is the
episode's length, for every env family that renders here; a run with videos equals one without bit for bit; the
missing extra and an env that cannot draw are one sentence each."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ding_lite.utils.video import count_frames
from tests.e2e.conftest import cli_env, read_scalars, run_cli
from tests.e2e.test_real_envs import assert_same_checkpoints
from tests.e2e.test_resume import comparable_scalars

ONPOLICY = "entry.serial_onpolicy"
CARTPOLE = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'run'
main_config.env.update(evaluator_env_num=3, n_evaluator_episode=4)
main_config.policy.collect.n_sample = 64
main_config.policy.eval.evaluator.eval_freq = 4
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 10
"""
ONE_EPISODE = "main_config.env.update(evaluator_env_num=1, n_evaluator_episode=1)\n"
FAMILIES = {
    "box2d": """\
from configs.lunarlander_ppo_config import main_config, create_config
main_config.env.update(collector_env_num=2, max_episode_steps=120)
main_config.policy.collect.n_sample = 64
""",
    "atari": """\
from configs.pong_ppo_config import main_config, create_config
main_config.env.update(collector_env_num=1, max_episode_steps=240)
main_config.policy.collect.n_sample = 16
main_config.policy.learn.batch_size = 16
main_config.policy.learn.epoch_per_collect = 1
""",
    "mujoco": """\
from configs.pendulum_ppo_config import main_config, create_config
main_config.env = dict(env_id='Hopper-v5', collector_env_num=1, stop_value=100000, max_episode_steps=60)
main_config.policy.model.obs_shape = 11
main_config.policy.model.action_shape = 3
main_config.policy.collect.n_sample = 32
""",
}


def write_config(workdir: Path, body: str, replay_path: str | None = "videos") -> Path:
    path = workdir / "run_config.py"
    extra = f"main_config.env.replay_path = {replay_path!r}\nmain_config.exp_name = 'run'\n" if replay_path else ""
    path.write_text(body + extra)
    return path


def eval_lengths(run: Path) -> dict[int, float]:
    return dict(read_scalars(run / "log" / "serial")["evaluator_iter/episode_length_mean"])


def mujoco_renders(env: dict[str, str]) -> bool:
    """Whether MuJoCo draws on this machine with the OpenGL backend the test env names (the run must agree)."""
    probe = "import gymnasium as g; e = g.make('Hopper-v5', render_mode='rgb_array'); e.reset(seed=0); e.render()"
    return subprocess.run([sys.executable, "-c", probe], check=False, env=env, capture_output=True).returncode == 0


def train_one_iter(workdir: Path, config: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", ONPOLICY, "-c", str(config), "--max-train-iter", "1"], check=False,
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=240)


def test_cartpole_videos_hold_every_eval_episode_and_change_nothing(tmp_path):
    on, off = tmp_path / "on", tmp_path / "off"
    for workdir, replay in ((on, "videos"), (off, None)):
        workdir.mkdir()
        result = run_cli(ONPOLICY, "-c", str(write_config(workdir, CARTPOLE, replay)), "--max-train-iter", "30",
                         cwd=workdir)
        assert result.returncode == 0, result.stderr
    assert comparable_scalars(on / "run") == comparable_scalars(off / "run")
    for name in ("iteration_10.pth.tar", "iteration_30.pth.tar", "ckpt_best.pth.tar"):
        assert_same_checkpoints(on / "run" / "ckpt" / name, off / "run" / "ckpt" / name)
    scalars = read_scalars(on / "run" / "log" / "serial")
    assert not list((off / "run").rglob("*.mp4")) and not (off / "videos").exists()
    for (step, length), (_, longest), (_, shortest) in zip(
            scalars["evaluator_iter/episode_length_mean"], scalars["evaluator_iter/reward_max"],
            scalars["evaluator_iter/reward_min"], strict=True):
        frames = sorted(count_frames(p) for p in (on / "videos").glob(f"iteration_{step}_envstep_*_episode_*.mp4"))
        assert len(frames) == 4, sorted(os.listdir(on / "videos"))
        assert sum(frames) == round(length * 4)  # CartPole pays 1 a step: the return is the length
        assert (frames[0], frames[-1]) == (shortest, longest)
    assert not [p for p in (on / "videos").iterdir() if p.name.startswith(".")]  # no partial file left


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_env_family_records_a_video_as_long_as_its_episode(family, tmp_path):
    env = {**cli_env(), "MUJOCO_GL": os.environ.get("MUJOCO_GL", "egl")}
    config = write_config(tmp_path, FAMILIES[family] + ONE_EPISODE)
    result = train_one_iter(tmp_path, config, env)
    assert result.returncode == 0, result.stderr
    if family == "mujoco" and not mujoco_renders(env):  # no OpenGL backend here: the run says so and trains
        assert "env.replay_path asks for videos but none is recorded: Hopper-v5 cannot render here" in result.stderr
        return
    lengths = eval_lengths(tmp_path / "run")
    videos = sorted((tmp_path / "videos").glob("iteration_*_episode_1.mp4"))
    assert [int(p.name.split("_")[1]) for p in videos] == sorted(lengths)
    for video in videos:
        assert count_frames(video) == lengths[int(video.name.split("_")[1])] > 0


def test_mujoco_without_an_opengl_backend_is_one_sentence_and_trains(tmp_path):
    env = {k: v for k, v in cli_env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["MUJOCO_GL"] = "glfw"  # needs a display, and there is none
    config = write_config(tmp_path, FAMILIES["mujoco"] + ONE_EPISODE)
    result = train_one_iter(tmp_path, config, env)
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "but none is recorded" in line]
    assert len(warning) == 1 and "set MUJOCO_GL=egl (or MUJOCO_GL=osmesa)" in warning[0], result.stderr
    assert list((tmp_path / "run" / "ckpt").glob("iteration_*.pth.tar")) and not (tmp_path / "videos").exists()


def test_the_missing_video_extra_is_one_sentence_before_anything_is_written(tmp_path):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "av.py").write_text("raise ImportError('hidden by the test')\n")
    env = cli_env()
    env["PYTHONPATH"] = os.pathsep.join([str(hide), env["PYTHONPATH"]])
    result = train_one_iter(tmp_path, write_config(tmp_path, CARTPOLE), env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [(
        "error: config key 'env.replay_path' records evaluation videos, which needs the video extra "
        "(PyAV is not installed): pip install -e \".[video]\"")]
    assert sorted(os.listdir(tmp_path)) == ["hide", "run_config.py"]


def test_di_engines_render_key_records_the_evaluations_its_rule_makes_due(tmp_path):
    config = write_config(tmp_path, CARTPOLE + "main_config.policy.eval.evaluator.eval_freq = 10\n"
                          "main_config.policy.eval.evaluator.render = dict(render_freq=20, mode='train_iter')\n",
                          replay_path=None)
    result = train_one_iter(tmp_path, config, cli_env())
    assert result.returncode == 0, result.stderr
    result = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", "50", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "policy.eval.evaluator.render.render_freq=20" in line]
    assert len(notes) == 1 and "DI-engine shows these videos in TensorBoard" in notes[0], result.stderr
    evals = [step for step, _ in read_scalars(tmp_path / "run" / "log" / "serial")["evaluator_iter/reward_mean"]]
    assert evals == [0, 10, 20, 30, 40]
    # DI-engine's rule: due once 20 train iterations have passed since the last recorded one (from -1)
    recorded = sorted({int(p.name.split("_")[1]) for p in (tmp_path / "run" / "videos").glob("*.mp4")})
    assert recorded == [20, 40]
