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
from ding_lite.config.compile import accepted_types, compile_config
from ding_lite.config.keys import iter_keys
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.tree import compile_run_config, pipeline_keys
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
    # off-policy runs keep their replay buffer with the default settings
    "dqn": ("cartpole_dqn_config.py", {"policy": {"random_collect_size": 0}}),
    **{name: (file, {"policy": {"random_collect_size": 64,
                                "learn": {"batch_size": 32, "update_per_collect": 2}}})
       for name, file in (("ddpg", "pendulum_ddpg_config.py"), ("td3", "pendulum_td3_config.py"),
                          ("sac", "pendulum_sac_config.py"), ("discrete_sac", "cartpole_sac_config.py"),
                          ("d4pg", "pendulum_d4pg_config.py"))},
    **{name: (f"cartpole_{name}_config.py", {})
       for name in ("c51", "qrdqn", "iqn", "rainbow", "sql", "mdqn", "fqf", "dqn_stdim")},
    "sqn": ("cartpole_sqn_config.py", {"policy": {"learn": {"update_per_collect": 4}}}),
    "ppo_stdim": ("cartpole_ppo_stdim_config.py", {"policy": {"collect": {"n_sample": 64},
                                                             "learn": {"epoch_per_collect": 2}}}),
    "bdq": ("pendulum_bdq_config.py", {}),
}
# DI-engine's buffer semantics resume exactly too: stratified draws with max_use eviction (counts in the learn
# state), prioritized with max_use, and draws without replacement
for _name, _buffer in (("ddpg", {"type": "advanced", "max_use": 2}), ("d4pg", {"max_use": 2}),
                       ("dqn", {"type": "deque"}), ("ppo_offpolicy", {"max_use": 2})):
    CONTRACT_RUNS[_name][1]["policy"]["other"] = {"replay_buffer": _buffer}
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

    cfg = compile_run_config(main, create, cls)
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
def test_every_declared_key_has_a_meaning_and_a_default_its_rule_accepts(name):
    """A default its own type or rule rejects would make an empty config fail; every key says what it does."""
    keys = pipeline_keys(get_policy_class(name))
    for path, decl in iter_keys(keys):
        assert decl.meaning.strip(), f"{path} has no meaning"
        types = accepted_types(decl)
        assert types is None or decl.default is None or isinstance(decl.default, types), path
    cfg = compile_config({}, {}, keys)  # every rule passes on the defaults
    assert cfg["policy"]["type"] == name


def vary_learn_state(policy) -> None:
    """Move every registered piece of learn state away from where a fresh policy has it, through its own API.

    A registered object of a kind not listed here fails the round-trip test by name, so a new kind of state
    cannot join the checkpoint without this test learning to vary (and so to check) it.
    """
    from ding_lite.policy.ppg import AuxMemory
    from ding_lite.policy.ppo_offpolicy import RolloutFIFO
    from ding_lite.policy.trpo import EpisodeSteps
    from ding_lite.torch_utils.optim import Adam, RMSprop
    from ding_lite.utils.normalizer import RunningMeanStd

    gen = torch.Generator().manual_seed(5)
    for name, obj in policy.learn_modules().items():
        if isinstance(obj, torch.nn.Module):
            for tensor in [*obj.parameters(), *obj.buffers()]:
                if tensor.is_floating_point():
                    tensor.data.add_(torch.randn(tensor.shape, generator=gen))
        elif isinstance(obj, (Adam, RMSprop)):  # a real step: moments and step count move
            for param in obj.params:
                param.grad = torch.randn(param.shape, generator=gen)
            obj.step()
            obj.zero_grad()
        elif isinstance(obj, RunningMeanStd):
            obj.update(torch.randn((7, *obj.mean.shape), generator=gen, dtype=torch.float64).numpy())
        elif isinstance(obj, RolloutFIFO):
            obj.push({"obs": torch.randn(3, 4, generator=gen)})
            if obj.uses is not None:
                obj.uses[:obj.size] += 1
        elif isinstance(obj, AuxMemory):
            obj.batches.append({"obs": torch.randn(3, 4, generator=gen)})
            obj.last_info = {key: 1.5 for key in obj.last_info}
        elif isinstance(obj, EpisodeSteps):
            obj.advance(torch.tensor([[False, True], [False, False]]))
        else:
            pytest.fail(f"learn state {name!r} ({type(obj).__name__}): teach vary_learn_state to move it")
    for i, counter in enumerate(policy._counters):
        setattr(policy, counter, getattr(policy, counter) + 3 + i)
    torch.rand(7, generator=policy.collect_generator)
    torch.rand(11, generator=policy.learn_generator)


def differs(a, b) -> bool:
    fa, fb = flat_tensors(a), flat_tensors(b)
    return fa.keys() != fb.keys() or any(fa[k].shape != fb[k].shape or not torch.equal(fa[k], fb[k]) for k in fa)


@pytest.mark.parametrize("name", NAMES)
def test_learn_state_round_trips_exactly(name):
    policy = compiled_policy(name)
    vary_learn_state(policy)
    state = copy.deepcopy(policy.state_dict_learn())
    other = compiled_policy(name)
    fresh = other.state_dict_learn()
    # every model, target net, optimizer, normaliser, buffer, counter and generator starts elsewhere, so a
    # restore that skips any of them leaves a difference the last assertion sees
    entries = {**{k: v for k, v in state.items() if k not in ("counters", "generators")},
               **{f"generators.{k}": v for k, v in state["generators"].items()},
               **{f"counters.{k}": v for k, v in state.get("counters", {}).items()}}
    for key, value in entries.items():
        head, _, tail = key.partition(".")
        assert differs(value, fresh[head][tail] if tail else fresh[head]), f"{key} was not varied"
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
