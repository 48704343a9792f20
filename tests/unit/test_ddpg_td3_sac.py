"""DDPG / TD3 / SAC / discrete SAC by value: the QAC model's layout, acting, delayed actor, targets, alpha,
the env's action keys, and every bad input as one sentence before anything is written."""
from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.config.loader import load_config_file
from ding_lite.envs.action_scale import ActionScale, wrap_actions
from ding_lite.model.qac import ContinuousQAC, DiscreteQAC
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.tree import compile_run_config
from ding_lite.policy.registry import get_policy_class
from ding_lite.utils.checkpoint_io import CheckpointError
from tests.unit.test_policy_contract import merged

FILES = {"ddpg": "pendulum_ddpg_config.py", "td3": "pendulum_td3_config.py", "sac": "pendulum_sac_config.py",
         "discrete_sac": "cartpole_sac_config.py"}


def configs(name: str, edits: dict | None = None) -> tuple[dict, dict]:
    main, create, _ = load_config_file(FILES[name], SEARCH_PATH)
    return merged(main, edits or {}), create


def policy(name: str, edits: dict | None = None, seed: int = 0):
    main, create = configs(name, edits)
    cls = get_policy_class(name)
    cfg = compile_run_config(main, create, cls)
    return cls(cfg["policy"], seed)


def batch(obs_dim: int, act: torch.Tensor, n: int = 16) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(3)
    return {"obs": torch.randn(n, obs_dim, generator=g), "action": act, "returns": torch.randn(n, generator=g),
            "discount": torch.full((n,), 0.99), "bootstrap_obs": torch.randn(n, obs_dim, generator=g)}


def params(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


# ----------------------------------------------------------------- model


def test_qac_has_di_engines_layout_without_an_encoder():
    model = ContinuousQAC(3, 1, "regression", twin_critic=True)
    actor = sum(p.numel() for p in model.actor_parameters())
    assert actor == (3 * 64 + 64) + (64 * 64 + 64) + (64 + 1)  # Linear(obs, 64), one hidden layer, the output
    critic = sum(p.numel() for p in model.critic_parameters())
    assert critic == 2 * ((4 * 64 + 64) + (64 * 64 + 64) + (64 + 1))  # two critics on [obs, action]
    obs = torch.randn(5, 3)
    action = model.actor(obs)
    assert action.shape == (5, 1) and action.abs().max() <= 1
    q1, q2 = model.critic(obs, action)
    assert q1.shape == q2.shape == (5,)
    assert model.critic(obs, action, twin=False)[1] is None


def test_reparameterization_actor_gives_mean_and_clamped_log_std_and_init_w_bounds_the_outputs():
    model = ContinuousQAC(3, 2, "reparameterization", actor_head_hidden_size=8)
    model.init_actor_output(1e-3)
    assert model.actor_head[-1].weight.abs().max() <= 1e-3
    with torch.no_grad():
        model.actor_head[-1].bias.fill_(100.0)
    mean, log_std = model.actor(torch.randn(4, 3))
    assert mean.shape == log_std.shape == (4, 2) and torch.all(log_std == 2.0)


def test_discrete_qac_gives_logits_and_q_values_for_every_action():
    model = DiscreteQAC(4, 2, twin_critic=True, encoder_hidden_size_list=[16])
    obs = torch.randn(6, 4)
    q1, q2 = model.q_values(obs)
    assert model.logits(obs).shape == q1.shape == q2.shape == (6, 2)


# ----------------------------------------------------------------- env action keys


def test_act_scale_maps_the_unit_box_onto_the_env_bounds_and_clips():
    env = wrap_actions(gym.make("Pendulum-v1"), act_scale=True, continuous=None)
    assert isinstance(env, ActionScale) and np.all(env.action_space.low == -1) and np.all(env.action_space.high == 1)
    for unit, torque in ((-1.0, -2.0), (0.0, 0.0), (0.5, 1.0), (1.5, 2.0)):
        assert env.action(np.array([unit], np.float32))[0] == pytest.approx(torque)
    assert not isinstance(wrap_actions(gym.make("CartPole-v1"), True, None), ActionScale)  # discrete: unchanged


def test_continuous_false_gives_pendulum_di_engines_eleven_actions():
    env = wrap_actions(gym.make("Pendulum-v1"), act_scale=True, continuous=False)
    assert env.action_space == gym.spaces.Discrete(11)
    assert env.action(0)[0] == pytest.approx(-1.0)  # the value the scaling wrapper below gets
    assert env.env.action(env.action(10))[0] == pytest.approx(2.0)
    assert wrap_actions(gym.make("CartPole-v1"), False, False).action_space == gym.spaces.Discrete(2)  # already
    with pytest.raises(ConfigError, match="'env.continuous' is True, but CartPole-v1's actions are discrete"):
        wrap_actions(gym.make("CartPole-v1"), False, True)
    with pytest.raises(ConfigError, match="'env.continuous' is False, but MountainCarContinuous-v0's actions are "
                                          "continuous and only Pendulum"):
        wrap_actions(gym.make("MountainCarContinuous-v0"), False, False)


# ----------------------------------------------------------------- acting and learning


def test_warm_up_acts_uniformly_in_the_unit_box_and_counts_env_steps():
    pol = policy("td3", {"policy": {"random_collect_size": 64}})
    out = pol.collect_forward(np.zeros((8, 3), np.float32))
    assert out["action"].shape == (8, 1) and np.abs(out["action"]).max() <= 1 and pol.collect_envstep == 8
    pol.collect_envstep = 64
    acted = pol.collect_forward(np.zeros((8, 3), np.float32))["action"]
    greedy = pol.eval_forward(np.zeros((8, 3), np.float32))
    noise = acted - greedy
    assert 0 < np.abs(noise).max() < 0.5  # the actor's action plus N(0, 0.1)


def test_td3_trains_its_actor_every_second_update_and_its_target_softly():
    pol = policy("td3")
    actor_before, target_before = params(pol.model.actor_head), params(pol.target_model)
    data = batch(3, torch.rand(16, 1) * 2 - 1)
    pol.learn_step(data)
    assert same(params(pol.model.actor_head), actor_before)
    online = params(pol.model)
    expected = [t + 0.005 * (o - t) for t, o in zip(target_before, online, strict=True)]
    assert all(torch.allclose(a, b) for a, b in zip(params(pol.target_model), expected, strict=True))
    info = pol.learn_step(data)
    assert not same(params(pol.model.actor_head), actor_before) and "actor_loss" in info and pol.learn_count == 2


@pytest.mark.parametrize("log_space", [True, False])
def test_sac_alpha_moves_towards_the_target_entropy(log_space):
    """Entropy above the target lowers alpha, below it raises it (a sign error in the alpha loss reverses both;
    the Pendulum learning test does not notice it within its budget)."""
    for logp, direction in ((-5.0, -1), (5.0, 1)):  # target entropy -1: entropy 5 is above it, -5 below
        sac = policy("sac", {"policy": {"learn": {"log_space": log_space}}})
        start = sac.temperature.alpha().item()
        for _ in range(5):
            sac.update_alpha(torch.full((64,), logp))
        assert (sac.temperature.alpha().item() - start) * direction > 0, (logp, start, sac.temperature.alpha())


def test_sac_learns_alpha_when_auto_alpha_and_keeps_it_otherwise():
    data = batch(3, torch.rand(16, 1) * 2 - 1)
    auto = policy("sac")
    info = auto.learn_step(data)
    assert info["alpha"] != pytest.approx(0.2, abs=0) and "alpha_loss" in info
    assert {"temperature", "alpha_optimizer", "actor_optimizer", "critic_optimizer"} <= set(auto.state_dict_learn())
    fixed = policy("sac", {"policy": {"learn": {"auto_alpha": False}}})
    assert fixed.learn_step(data)["alpha"] == pytest.approx(0.2)
    linear = policy("sac", {"policy": {"learn": {"log_space": False}}})
    assert linear.learn_step(data)["alpha"] < 0.2 + 1e-3  # alpha itself moves (and never below 0)


def test_discrete_sac_samples_from_its_actor_and_trains_both_critics():
    pol = policy("discrete_sac", {"policy": {"other": {"eps": {"start": 0.0, "end": 0.0}}}})
    obs = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    action = pol.collect_forward(obs)["action"]
    assert action.dtype == np.int64 and set(np.unique(action)) <= {0, 1}
    critics_before = params(pol.model.critic2)
    info = pol.learn_step(batch(4, torch.randint(2, (16,))))
    assert not same(params(pol.model.critic2), critics_before) and {"policy_loss", "q_value_twin"} <= set(info)


def test_prioritized_replay_weights_the_critic_loss_and_takes_the_td_errors_as_priorities():
    pol = policy("td3", {"policy": {"priority": True, "priority_IS_weight": True}})
    rng = np.random.default_rng(0)
    pol.replay_buffer.push({"obs": rng.normal(size=(32, 8, 3)).astype(np.float32),
                            "final_obs": rng.normal(size=(32, 8, 3)).astype(np.float32),
                            "action": rng.uniform(-1, 1, size=(32, 8, 1)).astype(np.float32),
                            "reward": rng.normal(size=(32, 8)).astype(np.float32),
                            "terminated": np.zeros((32, 8), bool), "truncated": np.zeros((32, 8), bool)})
    before = pol.replay_buffer.state_dict()["priority"]["leaves"].clone()
    data = next(pol.train_batches(pol.replay_buffer))
    assert "weight" in data
    pol.learn_step(data)
    after = pol.replay_buffer.state_dict()["priority"]["leaves"]
    assert not torch.equal(before, after)


def test_the_same_seed_learns_the_same_numbers():
    data = batch(3, torch.rand(16, 1) * 2 - 1)
    torch.manual_seed(0)  # the pipeline seeds torch before it builds a policy (its initial weights)
    a = policy("sac", seed=4)
    torch.manual_seed(0)
    b = policy("sac", seed=4)
    assert a.learn_step(copy.deepcopy(data)) == b.learn_step(copy.deepcopy(data))


# ----------------------------------------------------------------- bad input, before anything is written


@pytest.mark.parametrize("name, edits, message", [
    ("td3", {"learn": {"actor_update_freq": 0}}, "'policy.learn.actor_update_freq' must be >= 1"),
    ("ddpg", {"collect": {"noise_sigma": -0.1}}, "'policy.collect.noise_sigma' must be >= 0"),
    ("td3", {"learn": {"noise_sigma": -1.0}}, "'policy.learn.noise_sigma' must be >= 0"),
    ("sac", {"learn": {"alpha": 0.0}}, "'policy.learn.alpha' is 0.0, but auto_alpha needs a positive"),
    ("sac", {"discount_factor": 0.9}, "'policy.discount_factor' must be left unset"),
    ("ddpg", {"model": {"action_space": "reparameterization"}}, "'policy.model.action_space' must be one of"),
])
def test_bad_input_is_one_sentence_naming_the_key(tmp_path, name, edits, message):
    main, create = configs(name, {"policy": edits})
    with pytest.raises(ConfigError, match=message):
        SerialPipeline(main, create, base_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_sac_on_a_discrete_env_points_at_discrete_sac(tmp_path):
    main, create = configs("sac", {"env": {"env_id": "CartPole-v0", "act_scale": False}})
    main = merged(main, {"policy": {"model": {"obs_shape": 4}}})
    with pytest.raises(ConfigError, match="'policy.type' is 'sac', which needs continuous actions, but "
                                          "CartPole-v0's actions are discrete: use policy.type 'discrete_sac'"):
        SerialPipeline(main, create, base_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_changing_twin_critic_on_resume_is_refused_naming_the_key(tmp_path):
    main, create = configs("td3", {"policy": {"random_collect_size": 64, "learn": {"batch_size": 32}}})
    first = SerialPipeline(main, create, base_dir=tmp_path).run(max_train_iter=4)
    changed = merged(main, {"policy": {"model": {"twin_critic": False}}})
    with pytest.raises(CheckpointError, match=r"differs in keys that shape its saved state \(policy\.model\.twin_critic\)"):
        SerialPipeline(changed, create, resume=str(first.run_dir), base_dir=tmp_path)
