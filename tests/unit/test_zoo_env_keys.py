"""DI-engine's env keys and ids added for its zoo files: what each does to the env, and the one-sentence refusals."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from ding_lite.config import ConfigError
from ding_lite.envs.make import EnvOptions, make_env
from ding_lite.envs.registry import resolve_env
from ding_lite.pipeline.tree import compile_run_config, ignored_note
from ding_lite.policy.registry import get_policy_class


@pytest.mark.parametrize("old, new", [("CarRacing-v2", "CarRacing-v3"), ("Taxi-v3", "Taxi-v4")])
def test_renamed_ids_say_once_what_changed(old, new):
    env_id, note = resolve_env({"env_id": old})
    assert env_id == new and note.startswith(f"env '{old}' is not made by gymnasium 1.x: training '{new}'")


def test_car_racing_discrete_has_five_actions_and_channel_first_frames():
    env = make_env("CarRacing-v3", options=EnvOptions(continuous=False))
    assert env.action_space == gym.spaces.Discrete(5)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3, 96, 96) and obs.dtype == np.uint8 and env.observation_space.shape == (3, 96, 96)


def test_rew_clip_floors_training_rewards_at_minus_10_and_leaves_evaluation_alone():
    train = make_env("BipedalWalker-v3", options=EnvOptions(rew_clip=True))
    evaluate = make_env("BipedalWalker-v3", options=EnvOptions(rew_clip=True, train=False))
    assert train.reward(-100.0) == -10.0 and train.reward(3.5) == 3.5
    assert not isinstance(evaluate, type(train))
    with pytest.raises(ConfigError, match=r"config key 'env.rew_clip' is DI-engine's BipedalWalker key, but the env "
                                          r"is Pendulum-v1 \(leave the key out\)\."):
        make_env("Pendulum-v1", options=EnvOptions(rew_clip=True))


def test_action_bins_map_each_dimension_onto_evenly_spaced_values():
    env = make_env("Hopper-v5", options=EnvOptions(action_bins=5))
    assert env.action_space == gym.spaces.MultiDiscrete([5, 5, 5])
    assert env.action(np.array([0, 2, 4])).tolist() == [-1.0, 0.0, 1.0]
    with pytest.raises(ConfigError, match="'env.action_bins_per_branch' needs continuous actions in"):
        make_env("CartPole-v1", options=EnvOptions(action_bins=3))


def _compiled(policy: str, main: dict) -> dict:
    cls = get_policy_class(policy)
    return compile_run_config(main, {"policy": {"type": policy}}, cls)


def test_stale_keys_are_accepted_and_listed_in_one_line():
    cfg = _compiled("iqn", {"env": {"exp_name": "x"}, "policy": {"kappa": 1.0}})
    assert ignored_note(cfg, get_policy_class("iqn")) == ("config keys env.exp_name, policy.kappa accepted and "
                                                          "ignored: DI-engine 0.5.3 reads them nowhere either.")
    assert ignored_note(_compiled("iqn", {}), get_policy_class("iqn")) is None


def test_multi_gpu_is_one_sentence_saying_what_to_use_instead():
    with pytest.raises(ConfigError, match=r"^config key 'policy.multi_gpu' must be False: ding_lite has no multi-GPU "
                                          r"\(DDP\) learner; train on one GPU with policy.cuda=True, or run several "
                                          r"seeds or configs side by side with python -m entry.ray_runs, got True\.$"):
        _compiled("dqn", {"policy": {"multi_gpu": True}})


def test_env_wrapper_names_only_the_presets_that_change_nothing_here():
    assert _compiled("ddpg", {"env": {"env_wrapper": "mujoco_default"}})["env"]["env_wrapper"] == "mujoco_default"
    with pytest.raises(ConfigError, match="config key 'env.env_wrapper' must be one of 'default', 'mujoco_default', "
                                          "'atari_default', got 'gym_hybrid_default'"):
        _compiled("ddpg", {"env": {"env_wrapper": "gym_hybrid_default"}})


def test_sac_discrete_is_discrete_sac():
    assert get_policy_class("sac_discrete") is get_policy_class("discrete_sac")


def test_sqil_and_demonstration_keys_are_one_sentence_each():
    with pytest.raises(ConfigError, match=r"^config key 'policy.collect.model_path' must be left out: it names the "
                                          r"trained model of DI-engine's SQIL or demonstration-data entries"):
        _compiled("dqn", {"policy": {"collect": {"model_path": "expert.pth.tar"}}})
    sql = get_policy_class("sql")(_compiled("sql", {"policy": {"collect": {"model_path": "e.pth.tar"}}})["policy"], 0)
    assert sql.console_notes == [("policy.collect.model_path 'e.pth.tar' names the expert of DI-engine's SQIL, whose "
                                 "demonstrations ding_lite does not add: this run trains plain soft Q-learning, as "
                                 "DI-engine's serial_pipeline does with this file (its serial_pipeline_sqil adds them).")]
    with pytest.raises(ConfigError, match=r"^config key 'policy.collect.save_path' must be left out: it belongs to "
                                          r"DI-engine's demonstration-data generation \(collect_demo_data\)"):
        _compiled("td3", {"policy": {"collect": {"save_path": "expert.pkl"}}})


def test_taxi_is_di_engine_s_34_values_and_frozen_lake_a_one_hot_state_on_its_own_map():
    taxi = make_env("Taxi-v4", options=EnvOptions())
    obs, _ = taxi.reset(seed=0)
    row, col, passenger, destination = taxi.unwrapped.decode(taxi.unwrapped.s)
    assert obs.shape == (34,) and np.flatnonzero(obs).tolist() == [5 * row + col, 25 + passenger, 30 + destination]
    lake = make_env("FrozenLake-v1", options=EnvOptions(lake=(("desc", ("SFF", "FHF", "FFG")), ("is_slippery", False))))
    obs, _ = lake.reset(seed=0)
    assert obs.tolist() == [1.0] + [0.0] * 8  # a 3x3 map from env.desc, the start square one-hot
    obs, *_ = lake.step(2)  # right, not slippery
    assert obs.argmax() == 1
    with pytest.raises(ConfigError, match=r"config key 'env.desc' is DI-engine's FrozenLake key, but the env is "
                                          r"CartPole-v1 \(leave the key out\)\."):
        make_env("CartPole-v1", options=EnvOptions(lake=(("desc", ("SF",)),)))


def test_bitflip_rewards_reaching_the_goal_and_truncates_after_n_bits_flips():
    env = make_env(resolve_env({"type": "bitflip"})[0], options=EnvOptions(n_bits=3))
    obs, _ = env.reset(seed=1)
    state, goal = obs[:3], obs[3:]
    differ = np.flatnonzero(state != goal).tolist()
    for bit in differ:
        obs, reward, terminated, truncated, _ = env.step(bit)
    assert reward == 1.0 and terminated and not truncated and (obs[:3] == goal).all()
    seed = next(k for k in range(100) if (env.reset(seed=k)[0][:3] == env.unwrapped.goal).any())
    obs, _ = env.reset(seed=seed)
    same = int(np.flatnonzero(obs[:3] == obs[3:])[0])  # flipping it thrice never reaches the goal
    ends = [env.step(same)[2:4] for _ in range(3)]
    assert ends == [(False, False), (False, False), (False, True)]  # truncated after n_bits flips, not before
