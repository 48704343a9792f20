"""DI-engine's defaults and the keys the fidelity issue listed: each implemented by value, checked, or refused in one
sentence at compile time (before any file exists)."""
import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from ding_lite.config import ConfigError
from ding_lite.pipeline.tree import compile_run_config, console_notes, ignored_note, pipeline_keys
from ding_lite.policy.registry import get_policy_class
from ding_lite.worker.collect_print import CollectPrintHook
from ding_lite.worker.hooks import RunContext


def compiled(policy: str, main: dict | None = None, create: dict | None = None) -> dict:
    return compile_run_config(main or {}, {"policy": {"type": policy}, **(create or {})}, get_policy_class(policy))


@pytest.mark.parametrize("policy, path, di_default", [
    ("ppo", "policy.recompute_adv", True),  # DI-engine's cartpole_ppo_config.py names neither of these two
    ("ppo", "policy.learn.value_norm", True),
    ("ppo", "policy.model.encoder_hidden_size_list", [128, 128, 64]),  # DI-engine's VAC
    ("a2c", "policy.model.actor_head_hidden_size", 64),
    ("ppg_offpolicy", "policy.model.actor_head_layer_num", 2),  # DI-engine's PPG model
    ("rainbow", "policy.learn.batch_size", 32),
    ("rainbow", "policy.other.replay_buffer.replay_buffer_size", 100000),
    ("rainbow", "policy.other.eps.start", 0.05),
    ("sac", "policy.other.replay_buffer.replay_buffer_size", 1000000),
    ("d4pg", "policy.other.replay_buffer.replay_buffer_size", 1000000),
    ("dqn", "policy.other.replay_buffer.type", "advanced"),
])
def test_a_config_that_leaves_a_key_out_gets_di_engine_s_default(policy, path, di_default) -> None:
    node = compiled(policy)
    for part in path.split("."):
        node = node[part]
    assert node == di_default


def test_a_di_engine_default_ding_lite_does_not_follow_is_said_when_relied_on_and_not_when_set() -> None:
    cls = get_policy_class("ppo_offpolicy")
    create = {"policy": {"type": "ppo_offpolicy"}}
    notes = console_notes({}, create, compile_run_config({}, create, cls), cls)
    assert notes == [("policy.learn.value_norm is not set: ding_lite's default is False, DI-engine's is True "
                     "(ding_lite's off-policy PPO learns raw returns (no return normalisation)); set it to choose.")]
    main = {"policy": {"learn": {"value_norm": False}}}
    assert console_notes(main, create, compile_run_config(main, create, cls), cls) == []


@pytest.mark.parametrize("policy, main, message", [
    ("ppo", {"policy": {"on_policy": False}}, ("'policy.on_policy' must be True: this policy type learns from what "
                                              "its current policy collected")),
    ("dqn", {"policy": {"on_policy": True}}, ("'policy.on_policy' must be False: this policy type learns from a "
                                             "replay buffer")),
    ("dqn", {"env": {"collector_env_num": 8}, "policy": {"collect": {"env_num": 4}}},
     "'policy.collect.env_num' must equal env.collector_env_num (8) or be left out, got 4"),
    ("ppo", {"env": {"evaluator_env_num": 5}, "policy": {"eval": {"env_num": 3}}},
     "'policy.eval.env_num' must equal env.evaluator_env_num (5) or be left out, got 3"),
    ("pg", {"policy": {"learn": {"ignore_done": True}}},
     "'policy.learn.ignore_done' must be False with learn.baseline 'none': a termination can only bootstrap"),
    ("dqn", {"policy": {"priority": True}}, "replay_buffer type 'naive' cannot serve policy.priority=True"),
    ("dqn", {"policy": {"other": {"replay_buffer": {"max_use": 0}}}},
     "'policy.other.replay_buffer.max_use' must be > 0"),
])
def test_checked_keys_are_refused_in_one_sentence(policy, main, message) -> None:
    create = {"replay_buffer": {"type": "naive"}} if "priority" in main.get("policy", {}) else None
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cfg = compiled(policy, main, create)
        get_policy_class(policy)(cfg["policy"], seed=0)  # the buffer-type refusal is the policy's


def test_agreeing_env_nums_and_a_value_baseline_with_ignore_done_are_accepted() -> None:
    cfg = compiled("dqn", {"policy": {"collect": {"env_num": 8}, "eval": {"env_num": 5}}})
    assert cfg["policy"]["collect"]["env_num"] == 8
    assert compiled("pg", {"policy": {"learn": {"ignore_done": True, "baseline": "value"}}})


def test_max_use_and_the_buffer_type_reach_the_policy_s_buffer() -> None:
    cfg = compiled("ddpg", {"policy": {"other": {"replay_buffer": {"max_use": 16}}}}, {"replay_buffer": {"type": "deque"}})
    buffer = get_policy_class("ddpg")(cfg["policy"], seed=0).replay_buffer
    assert (buffer.draws.kind, buffer.draws.max_use) == ("deque", 16)
    uniform = compiled("ddpg", {"policy": {"other": {"replay_buffer": {"type": "uniform"}}}})
    assert get_policy_class("ddpg")(uniform["policy"], seed=0).replay_buffer.draws is None


def test_collect_print_freq_writes_the_collector_line_at_di_engine_s_cadence() -> None:
    lines: list[str] = []
    hook = CollectPrintHook(100, lines.append)
    ctx = RunContext()
    for train_iter, count, mean in ((40, 2, 10.0), (90, 3, 20.0), (130, 3, None), (150, 5, 40.0), (260, 5, None)):
        ctx.train_iter, ctx.envstep = train_iter, train_iter * 8
        ctx.collect_info = {"episode_count": count, **({} if mean is None else {"reward_mean": mean})}
        hook.run(ctx)
    # iters 40 and 90: 3 episodes (2 at 10, 1 at 20); printed at 130; then 2 at 40 printed at 260
    assert lines == ["collector: train_iter 130, envstep 1,040: 3 episodes since the last line, mean return 13.333",
                     "collector: train_iter 260, envstep 2,080: 2 episodes since the last line, mean return 40.000"]


def test_deterministic_eval_false_samples_continuous_actions_too() -> None:
    cls = get_policy_class("pg")
    cfg = copy.deepcopy(cls.default_config())
    cfg.update(action_space="continuous", deterministic_eval=False)
    cfg["model"].update(obs_shape=3, action_shape=1, action_space="continuous")
    space = gym.spaces.Box(-2.0, 2.0, (1,), np.float32)
    obs = np.zeros((64, 3), np.float32)
    sampled = cls(cfg, seed=0, action_space=space).eval_forward(obs)
    cfg["deterministic_eval"] = True
    greedy = cls(cfg, seed=0, action_space=space).eval_forward(obs)
    assert np.ptp(greedy) == 0 and np.std(sampled) > 0.5  # the mean for every obs, against draws with std 1


def test_cuda_without_a_gpu_and_an_action_bound_mismatch_are_notes_for_the_console() -> None:
    cfg = compiled("ddpg", {"policy": {"cuda": True}})["policy"]
    policy = get_policy_class("ddpg")(cfg, seed=0, action_space=gym.spaces.Box(-2.0, 2.0, (1,), np.float32))
    expected = [] if torch.cuda.is_available() else [
        "policy.cuda=True, but no CUDA device is available: training on the CPU."]
    assert policy.notes[:len(expected)] == expected
    assert policy.notes[-1].startswith("the ddpg policy acts in [-1, 1], but the env's action bounds are [-2, 2]: "
                                       "set env.act_scale=True")


def test_keys_neither_framework_reads_and_transport_keys_are_listed_once() -> None:
    main = {"policy": {"transition_with_policy_data": False}, "env": {"manager": {"shared_memory": True}}}
    create = {"policy": {"type": "sac"}}
    cls = get_policy_class("sac")
    cfg = compile_run_config(main, create, cls)
    assert ignored_note(cfg, cls) == ("config key policy.transition_with_policy_data accepted and ignored: "
                                      "DI-engine 0.5.3 reads them nowhere either.")
    assert "env.manager.shared_memory=True: ding_lite's subprocess manager sends observations through pipes " \
           "(the same results)." in console_notes(main, create, cfg, cls)


def test_pipeline_keys_mount_every_worker_once() -> None:
    keys = pipeline_keys(get_policy_class("dqn"))
    assert keys["policy"]["collect"]["collector"]["collect_print_freq"].default == 100
    assert keys["policy"]["eval"]["evaluator"]["eval_freq"].default == 1000
