"""The shipped real-env configs from the CLI on tiny horizons: Pong DQN and Hopper SAC (their replay buffers kept
by default, one checkpoint kept) killed with -9 after a prune, then
``--resume latest``, end bit for bit as uninterrupted runs (weights, optimizers, buffer, emulator or simulator
state, TensorBoard); DI-engine's hopper_onppo keys (recompute_adv, value_norm, lr_scheduler, nn.Tanh())
resume exactly too."""
from __future__ import annotations

import importlib
from pathlib import Path

from tests.e2e.conftest import run_cli, start_cli
from tests.e2e.test_real_envs import HOPPER_CONFIG, stopped_and_resumed_equals_uninterrupted
from tests.e2e.test_resume import assert_same_run, kill9_after_a_prune

OFFPOLICY = "entry.serial_offpolicy"
HORIZON = "60"
SHORT = """
main_config.exp_name = 'exact'
main_config.policy.cuda = False
main_config.env.update(collector_env_num=2, evaluator_env_num=1, n_evaluator_episode=1, stop_value=10 ** 9)
main_config.policy.learn.update(update_per_collect=2, batch_size=16)
main_config.policy.learn['learner'] = dict(hook=dict(save_ckpt_after_iter=20), max_ckpt_keep=1)
main_config.policy.other.replay_buffer.update(replay_buffer_size=2000)
main_config.policy.eval.evaluator.eval_freq = 40
"""
PONG_DQN = "from configs.pong_dqn_config import main_config, create_config\n" + SHORT + """
main_config.env.max_episode_steps = 400  # emulator frames: 100 agent steps, so episodes end inside the run
main_config.policy.collect.n_sample = 16
main_config.policy.learn.target_update_freq = 10
"""
HOPPER_SAC = "from configs.hopper_sac_config import main_config, create_config\n" + SHORT + """
main_config.env.max_episode_steps = 100
# warm-up shorter than any random Hopper episode: collector curves then never hold two points at train_iter 0
# (an uninterrupted run keeps both, a resumed one only the last: a TensorBoard quirk outside this test)
main_config.policy.random_collect_size = 16
main_config.policy.collect.n_sample = 8
"""
HOPPER_ONPPO = HOPPER_CONFIG.format(env_id="Hopper-v5", obs_shape=11) + """
import torch.nn as nn
main_config.policy.recompute_adv = True
main_config.policy.model.update(encoder_hidden_size_list=[32, 32], share_encoder=False, actor_head_layer_num=0,
                                critic_head_layer_num=2, critic_head_hidden_size=32, actor_head_hidden_size=32,
                                activation=nn.Tanh(), bound_type='tanh')
main_config.policy.learn.update(value_norm=True, lr_scheduler=dict(epoch_num=10, min_lr_lambda=0),
                                grad_clip_type='clip_norm', update_per_collect=1, ignore_done=False)
"""


def kill9_then_resume_equals_uninterrupted(tmp_path: Path, config: str) -> None:
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    for work in (straight, broken):
        work.mkdir()
        (work / "short_config.py").write_text(config)
    result = run_cli(OFFPOLICY, "-c", "short_config.py", "--max-train-iter", HORIZON, cwd=straight)
    assert result.returncode == 0, result.stderr
    proc = start_cli(OFFPOLICY, "-c", "short_config.py", "--max-train-iter", HORIZON, cwd=broken)
    # one checkpoint kept: the kill comes after iteration_20 (and the segments only it needed) were pruned
    kill9_after_a_prune(proc, broken / "exact" / "ckpt", "iteration_40.pth.tar", "iteration_20.pth.tar")
    resumed = run_cli(OFFPOLICY, "-c", "short_config.py", "--resume", "latest", "--max-train-iter", HORIZON,
                      cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    log = (broken / "exact" / "log" / "train.log").read_text()
    assert "replay buffer restored from" in log
    assert_same_run(broken / "exact", straight / "exact", HORIZON)


def test_pong_dqn_kill9_then_resume_latest_is_bit_identical(tmp_path):
    importlib.import_module("ale_py")
    kill9_then_resume_equals_uninterrupted(tmp_path, PONG_DQN)


def test_hopper_sac_kill9_then_resume_latest_is_bit_identical(tmp_path):
    importlib.import_module("mujoco")
    kill9_then_resume_equals_uninterrupted(tmp_path, HOPPER_SAC)


def test_di_engine_s_hopper_onppo_keys_resume_bit_identically(tmp_path):
    importlib.import_module("mujoco")
    stopped_and_resumed_equals_uninterrupted(tmp_path, HOPPER_ONPPO, "hopper")
    saved = (tmp_path / "parts" / "hopper" / "total_config.py").read_text()
    assert "'activation': torch.nn.Tanh()" in saved
