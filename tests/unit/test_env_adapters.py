"""ALE and MuJoCo state adapters: a checkpointed env chain, restored into fresh envs, replays bit for bit."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

from ding_lite.envs.make import EnvOptions
from ding_lite.envs.managers import make_manager
from ding_lite.envs.registry import resolve_env
from ding_lite.utils.checkpoint_io import load_checkpoint, save_checkpoint


def replay_after_restore(env_id: str, options: EnvOptions, tmp_path, before: int, after: int) -> tuple:
    """Step 2 envs ``before`` steps, checkpoint them through a real file, then compare ``after`` more steps."""
    env_id, _ = resolve_env({"env_id": env_id})
    manager = make_manager(env_id, 2, 0, "sync", env_options=options)
    space = manager.action_space
    space.seed(1)
    actions = [np.stack([space.sample() for _ in range(2)]) for _ in range(before + after)]
    manager.reset()
    for a in actions[:before]:
        manager.step(a)
    path = tmp_path / "env.pth.tar"
    save_checkpoint({"env": manager.state_dict()}, str(path))
    want = [manager.step(a) for a in actions[before:]]
    fresh = make_manager(env_id, 2, 99, "sync", env_options=options)
    fresh.reset()
    fresh.load_state_dict(load_checkpoint(str(path))["env"])
    got = [fresh.step(a) for a in actions[before:]]
    for t, (x, y) in enumerate(zip(want, got, strict=True)):
        for name in ("obs", "reward", "terminated", "truncated", "final_obs"):
            assert np.array_equal(getattr(x, name), getattr(y, name)), f"{name} differs {t} steps after the restore"
    manager.close()
    fresh.close()
    return want


@pytest.mark.parametrize("train", [True, False])
def test_pong_with_the_atari_preset_resumes_exactly(tmp_path, train):
    importlib.import_module("ale_py")
    importlib.import_module("cv2")
    steps = replay_after_restore("PongNoFrameskip-v4", EnvOptions(train=train), tmp_path, 150, 250)
    assert steps[0].obs.shape == (2, 4, 84, 84) and steps[0].obs.dtype == np.uint8
    assert any(s.reward.any() for s in steps)  # points were scored after the restore


def test_breakout_life_counter_and_frame_stack_resume_exactly(tmp_path):
    importlib.import_module("ale_py")
    importlib.import_module("cv2")
    steps = replay_after_restore("BreakoutNoFrameskip-v4", EnvOptions(train=True), tmp_path, 60, 300)
    assert any(s.terminated.any() for s in steps)  # lost lives end training episodes after the restore


@pytest.mark.parametrize("env_id", ["Hopper-v3", "HalfCheetah-v3", "Walker2d-v3", "Ant-v3", "Humanoid-v5", "Reacher-v5"])
def test_mujoco_robots_resume_exactly(tmp_path, env_id, monkeypatch):
    importlib.import_module("mujoco")
    monkeypatch.chdir(tmp_path)  # MuJoCo writes its warnings (Humanoid's deprecated XML) to ./MUJOCO_LOG.TXT
    steps = replay_after_restore(env_id, EnvOptions(), tmp_path, 30, 200)
    assert steps[0].obs.dtype == np.float64
