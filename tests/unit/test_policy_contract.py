"""The contracts every registered policy keeps, checked for each row of the policy registry.

A new algorithm adds a registry row and a row in CONTRACT_RUNS (a shipped config and how to make it
short); these tests then cover it: learn-state round trip, shape-mismatch message, rule paths,
naming, and an interrupted-then-resumed run equal to an uninterrupted one.
"""
from __future__ import annotations

import copy

import pytest
import torch

from configs import SEARCH_PATH
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.tree import pipeline_defaults, pipeline_rules
from ding_lite.policy.registry import POLICIES, get_policy_class
from ding_lite.utils.checkpoint_io import CheckpointError
from ding_lite.worker.hooks import Hook

CONTRACT_RUNS = {
    # policy type: (shipped config, edits that keep a two-cycle run short and exact)
    "ppo": ("cartpole_ppo_config.py", {"policy": {"collect": {"n_sample": 64}, "learn": {"epoch_per_collect": 2}}}),
    "pg": ("cartpole_pg_config.py", {"policy": {"collect": {"n_episode": 2}}}),
    "ppo_pg": ("cartpole_ppo_pg_config.py", {"policy": {"collect": {"n_episode": 2}, "learn": {"epoch_per_collect": 2}}}),
    "a2c": ("cartpole_a2c_config.py", {"policy": {"collect": {"n_sample": 64}}}),
    "trpo": ("cartpole_trpo_config.py", {"policy": {"collect": {"n_sample": 128}}}),
    "ppo_offpolicy": ("cartpole_ppo_offpolicy_config.py", {"policy": {"learn": {"update_per_collect": 2}}}),
    "ppg_offpolicy": ("cartpole_ppg_config.py", {"policy": {"learn": {"update_per_collect": 3, "aux_freq": 5,
                                                                       "aux_train_epoch": 1}}}),
    "dqn": ("cartpole_dqn_config.py", {"policy": {"other": {"replay_buffer": {"save_with_ckpt": True}},
                                                  "random_collect_size": 0}}),
    **{name: (file, {"policy": {"other": {"replay_buffer": {"save_with_ckpt": True}}, "random_collect_size": 64,
                                "learn": {"batch_size": 32, "update_per_collect": 2}}})
       for name, file in (("ddpg", "pendulum_ddpg_config.py"), ("td3", "pendulum_td3_config.py"),
                          ("sac", "pendulum_sac_config.py"), ("discrete_sac", "cartpole_sac_config.py"),
                          ("d4pg", "pendulum_d4pg_config.py"))},
    **{name: (f"cartpole_{name}_config.py", {"policy": {"other": {"replay_buffer": {"save_with_ckpt": True}}}})
       for name in ("c51", "qrdqn", "iqn", "rainbow", "sql", "mdqn", "fqf", "dqn_stdim")},
    "sqn": ("cartpole_sqn_config.py", {"policy": {"other": {"replay_buffer": {"save_with_ckpt": True}},
                                                  "learn": {"update_per_collect": 4}}}),
    "ppo_stdim": ("cartpole_ppo_stdim_config.py", {"policy": {"collect": {"n_sample": 64},
                                                             "learn": {"epoch_per_collect": 2}}}),
    "bdq": ("pendulum_bdq_config.py", {"policy": {"other": {"replay_buffer": {"save_with_ckpt": True}}}}),
}
NAMES = sorted(POLICIES)


def merged(base: dict, edits: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in edits.items():
        out[key] = merged(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def compiled_policy(name: str, **model_edits):
    """A policy built from its compiled shipped config (as the pipeline builds it), without envs."""
    main, create, _ = load_config_file(CONTRACT_RUNS[name][0], SEARCH_PATH)
    main = merged(main, {"policy": {"model": model_edits}})
    cls = get_policy_class(name)
    from ding_lite.config.compile import compile_config

    cfg = compile_config(main, create, pipeline_defaults(cls), pipeline_rules(cls))
    return cls(cfg["policy"], seed=0)


def flat_tensors(state, prefix="") -> dict[str, torch.Tensor]:
    out = {}
    if isinstance(state, dict):
        for key, value in state.items():
            out.update(flat_tensors(value, f"{prefix}{key}."))
    elif isinstance(state, (list, tuple)):
        for i, value in enumerate(state):
            out.update(flat_tensors(value, f"{prefix}{i}."))
    else:
        out[prefix] = state if isinstance(state, torch.Tensor) else torch.as_tensor(state)
    return out


def assert_same(a: dict, b: dict) -> None:
    fa, fb = flat_tensors(a), flat_tensors(b)
    assert fa.keys() == fb.keys()
    for key in fa:
        assert torch.equal(fa[key], fb[key]), key


def test_every_registered_policy_has_a_contract_run():
    assert sorted(CONTRACT_RUNS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_registry_key_is_the_class_name_and_its_config_type(name):
    cls = get_policy_class(name)
    assert cls.name == name and cls.default_config()["type"] == name


@pytest.mark.parametrize("name", NAMES)
def test_every_rule_names_a_path_that_exists(name):
    cls = get_policy_class(name)
    defaults = pipeline_defaults(cls)
    for path in pipeline_rules(cls):
        node = defaults
        for part in path.split("."):
            assert isinstance(node, dict) and part in node, f"rule {path!r} names no config key"
            node = node[part]


@pytest.mark.parametrize("name", NAMES)
def test_learn_state_round_trips_exactly(name):
    policy = compiled_policy(name)
    for param in policy.model.parameters():
        param.data.add_(torch.randn(param.shape, generator=torch.Generator().manual_seed(5)))
    policy.collect_generator.manual_seed(123)
    state = copy.deepcopy(policy.state_dict_learn())
    other = compiled_policy(name)
    other.check_learn_state(state, "round trip")
    other.load_state_dict_learn(state)
    assert_same(other.state_dict_learn(), state)


@pytest.mark.parametrize("name", NAMES)
def test_a_checkpoint_of_another_shape_is_refused_naming_the_parameter_and_both_shapes(name):
    model = compiled_policy(name).cfg["model"]
    widths = model["encoder_hidden_size_list"]  # None: a QAC model without an encoder, whose heads take the obs
    edit = ({"encoder_hidden_size_list": [w + 1 for w in widths]} if widths
            else {"actor_head_hidden_size": model["actor_head_hidden_size"] + 1})
    state = compiled_policy(name, **edit).state_dict_learn()
    with pytest.raises(CheckpointError, match=r"parameter 'model\.[\w.]+' has shape \(\d+(, \d+)?\), "
                                              r"but this model's is \(\d+(, \d+)?\)"):
        compiled_policy(name).check_learn_state(state, "other.pth.tar")


def train(name: str, base_dir, max_train_iter: int, resume: str | None = None) -> SerialPipeline:
    file, edits = CONTRACT_RUNS[name]
    main, create, _ = load_config_file(file, SEARCH_PATH)
    main = merged(main, {**edits, "env": {"stop_value": 10 ** 9}})
    main = merged(main, {"policy": {"eval": {"evaluator": {"eval_freq": 10 ** 6}}}})
    pipeline = SerialPipeline(main, create, resume=resume, base_dir=base_dir)
    pipeline.iterations_run = []
    pipeline.register_hook("after_iter", Hook("count", lambda ctx: pipeline.iterations_run.append(ctx.train_iter)))
    return pipeline.run(max_train_iter=max_train_iter)


@pytest.mark.parametrize("name", NAMES)
def test_interrupted_then_resumed_equals_uninterrupted(name, tmp_path):
    whole = train(name, tmp_path / "whole", 24)
    first = train(name, tmp_path / "split", 12)
    resumed = train(name, tmp_path / "split", 24, resume=str(first.run_dir))
    assert resumed.iterations_run == list(range(13, 25))  # it continued from iteration 12, not from scratch
    assert resumed.learner.train_iter == whole.learner.train_iter
    assert resumed.collector.envstep == whole.collector.envstep
    assert_same(resumed.policy.state_dict_learn(), whole.policy.state_dict_learn())
