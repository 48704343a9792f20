"""DI-engine's PPO and VAC keys by value: recompute_adv, value_norm, lr_scheduler, ignore_done, the head layer
counts, activation and bound_type; config objects in checkpoints; the keys refused with one sentence."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ding_lite.config import ConfigError
from ding_lite.config.save import OBJECT_MARK, checkpoint_config, restore_config_objects
from ding_lite.pipeline.tree import compile_run_config, pipeline_keys
from ding_lite.policy.ppo import PPOPolicy
from ding_lite.policy.ppo_offpolicy import PPOOffPolicy
from ding_lite.policy.sac import SACPolicy
from ding_lite.policy.td3 import TD3Policy
from ding_lite.rl_utils import gae

T, N, OBS = 6, 2, 3


def ppo(recompute_adv: bool = False, **learn) -> PPOPolicy:
    cfg = copy.deepcopy(PPOPolicy.default_config())
    cfg["model"].update(obs_shape=OBS, action_shape=2)
    cfg["recompute_adv"] = recompute_adv
    cfg["learn"].update(epoch_per_collect=3, batch_size=4, **learn)
    return PPOPolicy(cfg, seed=0)


def rollout(policy: PPOPolicy) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(0)
    obs = rng.standard_normal((T, N, OBS)).astype(np.float32)
    final = rng.standard_normal((T, N, OBS)).astype(np.float32)
    with torch.no_grad():
        value = policy.model.value(torch.from_numpy(obs)).numpy()
    terminated, truncated = np.zeros((T, N), bool), np.zeros((T, N), bool)
    terminated[2, 0], truncated[4, 1] = True, True
    return {"obs": obs, "final_obs": final, "action": rng.integers(0, 2, (T, N)), "value": value,
            "logp": np.full((T, N), -0.7, np.float32), "reward": rng.standard_normal((T, N)).astype(np.float32),
            "terminated": terminated, "truncated": truncated}, rng.standard_normal((N, OBS)).astype(np.float32)


def test_defaults_take_the_family_path_unchanged() -> None:
    policy = ppo()
    data, last = rollout(policy)
    got = policy.process_rollout(data, last)
    want = super(PPOPolicy, policy).process_rollout(data, last)
    for key in want:
        assert torch.equal(got[key], want[key]), key


def test_recomputed_advantages_before_the_first_update_equal_the_collect_time_ones() -> None:
    policy = ppo(recompute_adv=True)
    data = policy.process_rollout(*rollout(policy))
    before = {k: v.clone() for k, v in data.items()}
    policy.before_epoch(data)
    assert_close(data["adv"], before["adv"])
    assert_close(data["ret"], before["ret"])


def test_ignore_done_bootstraps_a_termination_from_its_final_observation() -> None:
    policy = ppo(ignore_done=True)
    data, last = rollout(policy)
    adv = policy.process_rollout(data, last)["adv"].reshape(T, N)
    with torch.no_grad():
        v = lambda x: policy.model.value(torch.from_numpy(x))
        values = torch.from_numpy(data["value"])
        nxt = torch.cat([values[1:], v(last)[None]])
        nxt[2, 0], nxt[4, 1] = v(data["final_obs"][2, 0][None])[0], v(data["final_obs"][4, 1][None])[0]
        ends = torch.from_numpy(data["terminated"] | data["truncated"])
        want, _ = gae(torch.from_numpy(data["reward"]), values, nxt, torch.zeros_like(ends), ends, 0.99, 0.95)
    assert_close(adv, want)


def test_value_norm_targets_are_returns_over_the_running_std_which_learns_every_epoch() -> None:
    from ding_lite.utils.normalizer import RunningMeanStd

    policy = ppo(value_norm=True)
    data = policy.process_rollout(*rollout(policy))
    adv, value = data["adv"].clone(), data["value"].clone()
    by_hand = RunningMeanStd((1,))
    for _ in range(3):  # DI-engine: each epoch's targets use the std so far, then the std absorbs them
        std = float(np.sqrt(by_hand.var.item() + 1e-8))
        unnormalized = adv + value * std
        want = unnormalized / std
        by_hand.update(unnormalized.numpy())
    batches = list(policy.train_batches(data))
    assert len(batches) == 3 * 3  # 12 samples in minibatches of 4, 3 epochs
    assert policy.value_rms.count == pytest.approx(1e-4 + 3 * T * N)
    assert policy.value_std() == pytest.approx(np.sqrt(by_hand.var.item() + 1e-8))
    assert_close(data["ret"], want)


def test_lr_scheduler_is_di_engine_s_linear_decay_per_collect_and_resumes() -> None:
    schedule = dict(epoch_num=4, min_lr_lambda=0.25)
    policy = ppo(lr_scheduler=schedule)
    reference = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=3e-4)
    lam = torch.optim.lr_scheduler.LambdaLR(reference, lambda e: max(1.0 - e * (1.0 - 0.25) / 4, 0.25))
    data = policy.process_rollout(*rollout(policy))
    for _ in range(3):
        for _batch in policy.train_batches(data):
            pass
        assert policy.optimizer.lr == pytest.approx(lam.get_last_lr()[0])
        reference.step()
        lam.step()
    state = policy.state_dict_learn()
    resumed = ppo(lr_scheduler=schedule)
    resumed.load_state_dict_learn(state)
    next(iter(resumed.train_batches(data)))
    assert resumed.optimizer.lr == pytest.approx(lam.get_last_lr()[0])


def test_head_layer_counts_activation_and_tanh_bound() -> None:
    cfg = copy.deepcopy(PPOPolicy.default_config())
    cfg["model"].update(obs_shape=OBS, action_shape=2, action_space="continuous", encoder_hidden_size_list=[16, 16],
                        share_encoder=False, actor_head_layer_num=0, critic_head_layer_num=2,
                        critic_head_hidden_size=8, activation=nn.Tanh(), bound_type="tanh")
    cfg["action_space"] = "continuous"
    model = PPOPolicy(cfg, seed=0).model
    assert [m.out_features for m in model.critic.modules() if isinstance(m, nn.Linear)] == [8, 8, 1]
    assert model.actor_out.in_features == 16 and not list(model.actor_body.children())
    assert any(isinstance(m, nn.Tanh) for m in model.actor_encoder.modules())
    assert not any(isinstance(m, nn.ReLU) for m in model.modules())
    mean, _ = model.actor(torch.randn(64, OBS) * 100)
    assert mean.abs().max() <= 1.0


def test_config_objects_are_their_source_in_checkpoints_and_come_back_from_the_config_file() -> None:
    cfg = {"policy": {"model": {"activation": nn.Tanh(), "obs_shape": [4, 84, 84]}, "x": float("inf")}}
    saved = checkpoint_config(cfg)
    assert saved["policy"]["model"]["activation"] == {OBJECT_MARK: "torch.nn.Tanh()"}
    assert saved["policy"]["x"] == float("inf") and checkpoint_config({"a": [1]}) == {"a": [1]}
    assert checkpoint_config(copy.deepcopy(cfg)) == saved  # two runs' configs compare equal on resume
    back = restore_config_objects(saved, cfg)
    assert isinstance(back["policy"]["model"]["activation"], nn.Tanh)
    with pytest.raises(ConfigError, match="config key 'policy.model.activation' is torch.nn.Tanh()"):
        restore_config_objects(saved, {"policy": {"model": {"activation": nn.ReLU()}}})


@pytest.mark.parametrize(("cls", "main", "message"), [
    (PPOPolicy, {"learn": {"update_per_collect": 2}}, "'policy.learn.update_per_collect' must be 1"),
    (PPOPolicy, {"learn": {"grad_clip_type": "clip_value"}}, "'policy.learn.grad_clip_type' must be one of"),
    (PPOPolicy, {"learn": {"lr_scheduler": {"epoch_num": 10}}}, "'policy.learn.lr_scheduler' must be None or"),
    (PPOPolicy, {"model": {"activation": "tanh"}}, "'policy.model.activation' must be None or a torch.nn module"),
    (PPOOffPolicy, {"learn": {"value_norm": True}}, "'policy.learn.value_norm' must be False"),
    (SACPolicy, {"learn": {"reparameterization": False}}, "'policy.learn.reparameterization' must be one of True"),
    (TD3Policy, {"import_names": ["my_policies"]}, "'policy.import_names' must name only DI-engine's own modules"),
])
def test_keys_ding_lite_cannot_honour_are_one_sentence(cls, main, message) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        compile_run_config({"policy": main}, {}, cls)


def test_di_engine_s_own_policy_module_is_accepted() -> None:
    cfg = compile_run_config({}, {"policy": {"import_names": ["ding.policy.td3"]}}, TD3Policy)
    assert cfg["policy"]["import_names"] == ["ding.policy.td3"]


def test_ppg_s_value_network_takes_the_vac_s_activation_and_critic_depth() -> None:
    from ding_lite.model.ppg import PPGModel

    model = PPGModel(obs_shape=OBS, action_shape=2, activation=nn.Tanh(), critic_head_layer_num=2)
    value_net = [*model.value_encoder.modules(), *model.value_head.modules()]
    assert sum(isinstance(m, nn.Linear) for m in model.value_head.modules()) == 3
    assert any(isinstance(m, nn.Tanh) for m in value_net) and not any(isinstance(m, nn.ReLU) for m in value_net)


def test_a_resume_that_changes_the_activation_is_refused_naming_the_key() -> None:
    from ding_lite.config.changes import classify_changes

    saved = checkpoint_config({"policy": {"model": {"activation": nn.Tanh()}}})
    keys = pipeline_keys(PPOPolicy)
    assert classify_changes(saved, checkpoint_config({"policy": {"model": {"activation": nn.Tanh()}}}), keys) == ([], [])
    refused, _ = classify_changes(saved, checkpoint_config({"policy": {"model": {"activation": nn.ReLU()}}}), keys)
    assert refused == ["policy.model.activation"]
