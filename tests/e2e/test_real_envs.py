"""Real envs from the CLI: a user's own env trained and resumed exactly, Hopper-v3 mapped with its log line and
resumed exactly, a missing extra's error, and envpool's same-step contract."""
from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import torch

from tests.e2e.conftest import REPO, cli_env, run_cli
from tests.e2e.test_resume import assert_same_tensors

ONPOLICY = "entry.serial_onpolicy"
CORRIDOR = '''\
import gymnasium as gym
import numpy as np


class Corridor(gym.Env):
    """Walk right to the exit at +1; each step costs 0.01 and slips a little."""

    def __init__(self):
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.x, self.t = self.np_random.uniform(-0.5, 0.5), 0
        return self._obs(), {}

    def step(self, action):
        self.x += (0.1 if action else -0.1) + self.np_random.normal(0.0, 0.02)
        self.t += 1
        reward = 1.0 if self.x >= 1 else -0.01
        return self._obs(), reward, bool(abs(self.x) >= 1), self.t >= 50, {}

    def _obs(self):
        return np.clip([self.x, self.t / 50], -1, 1).astype(np.float32)
'''
CORRIDOR_CONFIG = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = 'corridor'
main_config.env = dict(collector_env_num=4, evaluator_env_num=2, n_evaluator_episode=2, stop_value=1000)
main_config.policy.model.obs_shape = 2
main_config.policy.collect.n_sample = 64
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 20
create_config.env = dict(type='Corridor', import_names=['corridor_env'])
"""
HOPPER_CONFIG = """\
from configs.pendulum_ppo_config import main_config, create_config
main_config.exp_name = 'hopper'
main_config.env = dict(env_id='{env_id}', collector_env_num=2, evaluator_env_num=1, n_evaluator_episode=1,
                       stop_value=100000, norm_obs=dict(use_norm=False), manager=dict(shared_memory=False))
main_config.policy.model.obs_shape = {obs_shape}
main_config.policy.model.action_shape = 3
main_config.policy.collect.n_sample = 64
main_config.policy.learn.learner.hook.save_ckpt_after_iter = 20
main_config.policy.eval.evaluator.eval_freq = 20
"""


def train(workdir: Path, config: str, *args: str) -> subprocess.CompletedProcess:
    path = workdir / "run_config.py"
    path.write_text(config)
    result = run_cli(ONPOLICY, "-c", str(path), *args, cwd=workdir)
    assert result.returncode == 0, result.stderr
    return result


def assert_same_checkpoints(a: Path, b: Path) -> None:
    got, want = (torch.load(p, weights_only=True) for p in (a, b))
    for key in ("policy", "learner", "collector", "evaluator", "rng", "train_iter", "envstep"):
        assert_same_tensors(got[key], want[key], key)


def stopped_and_resumed_equals_uninterrupted(tmp_path: Path, config: str, name: str) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    for work in (whole, parts):
        work.mkdir()
        (work / "corridor_env.py").write_text(CORRIDOR)
    train(whole, config, "--max-train-iter", "40")
    train(parts, config, "--max-train-iter", "20")
    train(parts, config, "--resume", "latest", "--max-train-iter", "40")
    ckpt = Path(name) / "ckpt" / "iteration_40.pth.tar"
    assert_same_checkpoints(parts / ckpt, whole / ckpt)


def test_a_users_own_env_trains_and_resumes_bit_identically(tmp_path):
    stopped_and_resumed_equals_uninterrupted(tmp_path, CORRIDOR_CONFIG, "corridor")
    saved = (tmp_path / "parts" / "corridor" / "total_config.py").read_text()
    assert "'env_id': 'Corridor'" in saved and "'import_names': ['corridor_env']" in saved


def test_hopper_v3_trains_hopper_v5_says_so_once_and_resumes_bit_identically(tmp_path):
    importlib.import_module("mujoco")
    config = HOPPER_CONFIG.format(env_id="Hopper-v3", obs_shape=11)
    stopped_and_resumed_equals_uninterrupted(tmp_path, config, "hopper")
    note = ("env 'Hopper-v3' is not made by gymnasium 1.x: training 'Hopper-v5' instead, and the task changed: "
            "v5 pays the healthy reward only on healthy steps.")
    log = (tmp_path / "whole" / "hopper" / "log" / "train.log").read_text()
    assert log.count(note) == 1
    assert "'env_id': 'Hopper-v5'" in (tmp_path / "whole" / "hopper" / "total_config.py").read_text()


def test_ant_v3_keeps_its_111_observation_values_and_says_so_once(tmp_path):
    importlib.import_module("mujoco")
    path = tmp_path / "ant_config.py"
    path.write_text(HOPPER_CONFIG.format(env_id="Ant-v3", obs_shape=111).replace("action_shape = 3",
                                                                                 "action_shape = 8"))
    result = run_cli(ONPOLICY, "-c", str(path), "--max-train-iter", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("env 'Ant-v3' is not made by gymnasium 1.x: training 'ding_lite/AntContactForces-v4' "
                               "instead, and the task changed: it runs as gymnasium's Ant-v4 with "
                               "use_contact_forces=True, which keeps v3's 111 observation values") == 1


def test_a_missing_simulator_is_one_sentence_naming_the_extra_and_nothing_is_written(tmp_path):
    (tmp_path / "run_config.py").write_text(HOPPER_CONFIG.format(env_id="Hopper-v3", obs_shape=11))
    code = ("import runpy, sys; sys.modules['mujoco'] = None; "  # import mujoco now raises ImportError
            "sys.argv = ['x', '-c', 'run_config.py', '--max-train-iter', '1']; "
            "runpy.run_module('entry.serial_onpolicy', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=tmp_path, env=cli_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: the env 'Hopper-v5' needs the 'mujoco' package, which is not installed: "
        "pip install 'ding_lite[mujoco]'.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_config.py"]


def test_envpool_keeps_the_same_step_autoreset_contract():
    importlib.import_module("envpool")
    from ding_lite.envs.make import EnvOptions
    from ding_lite.envs.managers import make_manager

    manager = make_manager("Hopper-v5", 4, 0, "env_pool", env_options=EnvOptions())
    try:
        assert manager.kind == "env_pool" and not manager.can_capture() and manager.state_dict() is None
        first = manager.reset()
        assert np.array_equal(first, manager.reset(seed_offset=0))  # a seeded reset replays the same starts
        ended = 0
        for _ in range(200):
            res = manager.step(np.full((4, 3), 0.8, np.float32))
            done = res.terminated | res.truncated
            ended += int(done.sum())
            assert np.array_equal(res.obs[~done], res.final_obs[~done])
            if done.any():  # the fall in final_obs; the next episode's first obs (reset noise only) in obs
                assert (np.abs(res.final_obs[done][:, 1:]) > 0.01).any(axis=1).all()
                assert (np.abs(res.obs[done][:, 1:]) < 0.01).all()
        assert ended > 0
    finally:
        manager.close()


def test_envpool_pong_is_di_engine_s_preprocessing_with_uint8_frames():
    importlib.import_module("envpool")
    from ding_lite.envs.make import EnvOptions
    from ding_lite.envs.managers import make_manager

    for train_flavour in (True, False):
        manager = make_manager("Pong-v5", 2, 0, "env_pool", env_options=EnvOptions(train=train_flavour))
        obs = manager.reset()
        assert obs.shape == (2, 4, 84, 84) and obs.dtype == np.uint8
        assert manager._kwargs["episodic_life"] is train_flavour and manager._kwargs["reward_clip"] is train_flavour
        manager.close()


def test_the_docs_custom_env_is_this_file_s_env():
    page = (REPO / "docs" / "environments.rst").read_text()
    assert textwrap.indent(CORRIDOR, "    ").strip() in page


def test_envpool_training_envs_go_on_with_the_same_game_after_a_lost_life():
    importlib.import_module("envpool")
    from ding_lite.envs.make import EnvOptions
    from ding_lite.envs.managers import make_manager

    manager = make_manager("Breakout-v5", 2, 0, "env_pool", env_options=EnvOptions(train=True))
    recv, lives = manager._pool.recv, []

    def recv_noting_lives():
        result = recv()
        lives.append(int(result[4]["lives"][0]))
        return result

    manager._pool.recv = recv_noting_lives
    manager.reset()
    episode_starts = []
    for t in range(2000):
        lives.clear()
        res = manager.step(np.array([1 if t % 10 == 0 else 3] * 2))
        if (res.terminated | res.truncated).any():
            episode_starts.append(lives[-1])  # the lives of the next episode's first step
        if len(episode_starts) >= 3:
            break
    manager.close()
    assert episode_starts and min(episode_starts) < 5  # a full game reset would always give 5 lives
