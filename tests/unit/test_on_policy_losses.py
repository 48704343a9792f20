"""A2C's loss by hand, TRPO's step and episode clock, the off-policy PPO FIFO and the resume batch rules."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline.train_args import restore_table, set_batch
from ding_lite.pipeline.tree import compile_run_config
from ding_lite.policy.ppo_offpolicy import RolloutFIFO
from ding_lite.policy.registry import get_policy_class
from ding_lite.policy.trpo import EpisodeSteps
from ding_lite.rl_utils.a2c import a2c_loss


def compiled(file: str, policy_edits: dict | None = None) -> tuple[dict, type]:
    main, create, _ = load_config_file(file, SEARCH_PATH)
    for key, value in (policy_edits or {}).items():
        main["policy"]["learn"][key] = value
    cls = get_policy_class(create["policy"]["type"])
    return compile_run_config(main, create, cls), cls


def test_a2c_loss_by_hand():
    logp = torch.tensor([math.log(0.5), math.log(0.25)])
    entropy = torch.tensor([0.6, 0.4])
    values, adv, ret = torch.tensor([1.0, 2.0]), torch.tensor([2.0, -1.0]), torch.tensor([3.0, 1.0])
    total, per_sample, info = a2c_loss(logp, entropy, values, adv, ret, value_weight=0.5, entropy_weight=0.01)
    policy = -(math.log(0.5) * 2.0 + math.log(0.25) * -1.0) / 2  # -mean(logp * A)
    value = ((3.0 - 1.0) ** 2 + (1.0 - 2.0) ** 2) / 2  # plain MSE, no 1/2
    assert_close(info["policy_loss"], torch.tensor(policy))
    assert_close(info["value_loss"], torch.tensor(value))
    assert_close(total, torch.tensor(policy + 0.5 * value - 0.01 * 0.5))
    assert_close(per_sample, torch.tensor([4.0, 1.0]))


def test_episode_steps_count_within_episodes_and_carry_over_collects():
    clock = EpisodeSteps()
    done = torch.tensor([[False, False], [True, False], [False, False]])
    steps, after = clock.advance(done)
    assert steps.tolist() == [[0, 0], [1, 1], [0, 2]] and after.tolist() == [[1, 1], [2, 2], [1, 3]]
    steps, _ = clock.advance(torch.tensor([[False, True]]))
    assert steps.tolist() == [[1, 3]] and clock.steps.tolist() == [2, 0]


def test_trpo_step_stays_in_the_trust_region_and_improves_the_surrogate():
    cfg, cls = compiled("cartpole_trpo_config.py", {"max_kl_step": 0.005})
    policy = cls(cfg["policy"], seed=0)
    gen = torch.Generator().manual_seed(0)
    obs = torch.randn(256, 4, generator=gen)
    batch = {"obs": obs, "action": torch.randint(0, 2, (256,), generator=gen),
             "adv": torch.randn(256, generator=gen), "steps": torch.randint(0, 200, (256,), generator=gen)}
    batch["mc_ret"] = batch["value"] = torch.zeros(256)
    before = torch.log_softmax(policy.model.actor(obs), -1).detach()
    info = policy.learn_step(batch)
    after = torch.log_softmax(policy.model.actor(obs), -1).detach()
    kl = (before.exp() * (before - after)).sum(-1).mean().item()
    assert 0 < info["step_fraction"] <= 1 and 0 < kl <= 0.005 + 1e-7
    assert info["policy_loss_after"] < info["policy_loss"]


def test_fifo_keeps_the_newest_transitions_and_round_trips():
    fifo = RolloutFIFO(5, torch.device("cpu"))
    fifo.push({"x": torch.arange(3.0)})
    fifo.push({"x": torch.arange(3.0, 7.0)})
    assert fifo.size == 5 and sorted(fifo.data["x"].tolist()) == [2.0, 3.0, 4.0, 5.0, 6.0]
    other = RolloutFIFO(5, torch.device("cpu"))
    other.load_state_dict(fifo.state_dict())
    draws = [f.sample(4, torch.Generator().manual_seed(1))["x"] for f in (fifo, other)]
    assert torch.equal(*draws) and len(set(draws[0].tolist())) == 4  # no repeats within a minibatch


@pytest.mark.parametrize("bad, message", [
    ({"max_kl_step": 0.0}, r"'policy\.learn\.max_kl_step' must be > 0 \(the KL trust region\), got 0\.0\."),
    ({"cg_iters": 0}, r"'policy\.learn\.cg_iters' must be >= 1 \(conjugate-gradient iterations\), got 0\."),
])
def test_trpo_refuses_an_impossible_trust_region_or_cg_count(bad, message):
    with pytest.raises(ConfigError, match=message):
        compiled("cartpole_trpo_config.py", bad)


def test_a_batch_for_a_key_the_collector_does_not_use_is_one_sentence():
    cfg, _ = compiled("cartpole_pg_config.py")
    with pytest.raises(ConfigError, match=r"^n_sample=512 was passed, but the pg policy's collector takes its "
                                          r"per-iteration batch from policy\.collect\.n_episode: pass n_episode "
                                          r"instead\.$"):
        set_batch(cfg, "pg", {"n_sample": 512, "n_episode": None})
    assert set_batch(cfg, "pg", {"n_sample": None, "n_episode": 4}) == [
        "per-iteration batch policy.collect.n_episode changed from 80 to 4"]


def test_restore_table_rows():
    cfg, _ = compiled("cartpole_trpo_config.py")
    cfg["max_env_step"] = 40000
    ckpt = {"train_iter": 4, "envstep": 4096, "evaluator": {"best_return": 187.6}}
    lines = restore_table(cfg, ckpt, saved_batch=2048)
    assert [line.split()[0] for line in lines] == ["--", "max_env_step", "max_train_iter", "n_sample", "seed", "--",
                                                   "last_train_iter", "total_env_steps", "best_eval_return"]
    assert lines[3].split(None, 1)[1] == "1,024 (was 2,048)" and lines[-1].endswith("187.6")
    assert len({re.search(r"\S {2,}(\S)", line).start(1) for line in lines}) == 1  # one aligned value column


def test_a2c_ignore_done_bootstraps_a_termination_from_the_final_observation():
    rollout = {"obs": np.zeros((1, 1, 4), np.float32), "action": np.zeros((1, 1), np.int64),
               "logp": np.zeros((1, 1), np.float32), "value": np.zeros((1, 1), np.float32),
               "reward": np.ones((1, 1), np.float32), "terminated": np.ones((1, 1), bool),
               "truncated": np.zeros((1, 1), bool), "final_obs": np.full((1, 1, 4), 0.5, np.float32)}
    returns = {}
    for ignore in (False, True):
        cfg, cls = compiled("cartpole_a2c_config.py", {"ignore_done": ignore})
        policy = cls(cfg["policy"], seed=0)
        returns[ignore] = policy.process_rollout(rollout, np.zeros((1, 4), np.float32))["ret"].item()
        final_value = policy.model.value(torch.full((1, 4), 0.5)).item()
    assert returns[False] == 1.0 and abs(final_value) > 1e-6
    assert_close(returns[True], 1.0 + 0.9 * final_value)
