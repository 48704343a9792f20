"""Enjoy: play a trained agent from its best checkpoint, optionally as a GIF, touching nothing."""
from __future__ import annotations

import re

from PIL import Image

from ding_lite.utils.video import count_frames
from tests.e2e.conftest import run_cli


def test_enjoy_plays_best_checkpoint_and_writes_gif(workdir):
    train = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-train-iter", "80", cwd=workdir)
    assert train.returncode == 0, train.stderr
    ckpt_dir = workdir / "cartpole_ppo" / "ckpt"
    before = {p.name: p.stat().st_mtime_ns for p in ckpt_dir.iterdir()}

    result = run_cli("entry.serial_eval", "-c", "cartpole_ppo_config.py", "--episodes", "3", "--gif", "play.gif",
                     cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ckpt_best.pth.tar" in result.stdout.splitlines()[0]
    returns = [float(r) for r in re.findall(r"episode \d: return ([\d.]+)", result.stdout)]
    assert len(returns) == 3
    mean = float(re.search(r"mean return over 3 episodes: ([\d.]+)", result.stdout)[1])
    assert abs(mean - sum(returns) / 3) < 0.051
    with Image.open(workdir / "play.gif") as gif:
        assert gif.format == "GIF" and gif.size == (300, 200)
        assert 1 < gif.n_frames <= int(returns[0])  # one frame per step; PIL merges identical ones
    assert {p.name: p.stat().st_mtime_ns for p in ckpt_dir.iterdir()} == before

    result = run_cli("entry.serial_eval", "-c", "cartpole_ppo_config.py", "--episodes", "2", "--video", "vids",
                     cwd=workdir)
    assert result.returncode == 0, result.stderr
    returns = [float(r) for r in re.findall(r"episode \d: return ([\d.]+)", result.stdout)]
    assert sorted(p.name for p in (workdir / "vids").iterdir()) == ["episode_1.mp4", "episode_2.mp4"]
    # CartPole pays 1 a step: each video has one frame per step of its episode
    assert [count_frames(workdir / "vids" / f"episode_{k}.mp4") for k in (1, 2)] == [int(r) for r in returns]
    assert "videos of the 2 episodes written to vids/episode_K.mp4" in result.stdout


def test_enjoy_without_any_run_says_so(workdir):
    result = run_cli("entry.serial_eval", "-c", "cartpole_ppo_config.py", cwd=workdir)
    assert result.returncode == 2
    assert "--resume latest found no run of 'cartpole_ppo'" in result.stderr
