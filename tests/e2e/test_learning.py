"""Every registered algorithm learns: its shipped config, seed 0, trains a policy whose greedy mean return over
20 fresh episodes clears a threshold far above a random policy's on the env.

The runs are seeded and single-threaded, so a loaded machine changes only their wall time. Each stops the way the
shipped config does (its ``stop_value``) or at ``max_env_step``, then the final policy (not the best evaluation)
is scored on episodes seeded apart from training and evaluation (ding_lite.worker.scoring). A sign error in any
algorithm's loss fails its row or, for the three losses a flipped sign still solves with (SAC's and SQN's
temperature, FQF's fraction proposal), a unit test of that step's direction: ``bench/sign_flip_check.py`` flips
each one and docs/learning.md lists which test caught which.
"""
from __future__ import annotations

import numpy as np
import pytest

from configs import SEARCH_PATH
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.policy.registry import POLICIES
from ding_lite.worker.scoring import greedy_returns

CARTPOLE_MIN = 150.0
"""CartPole-v0 (200-step episodes): a random policy averages ~22 over 20 episodes (test_random_policy_...)."""
PENDULUM_MIN = -400.0
"""Pendulum-v1: a random policy averages ~-1,200; a swung-up, balanced pendulum scores above -250."""
LEARNING_RUNS = {
    # policy type: (shipped config, env-step cap, edits to its config, threshold)
    "ppo": ("cartpole_ppo_config.py", 20_000, {}, CARTPOLE_MIN),
    "pg": ("cartpole_pg_config.py", 30_000, {}, CARTPOLE_MIN),
    "a2c": ("cartpole_a2c_config.py", 40_000, {}, CARTPOLE_MIN),
    "trpo": ("cartpole_trpo_config.py", 20_000, {}, CARTPOLE_MIN),
    "ppg_offpolicy": ("cartpole_ppg_config.py", 15_000, {}, CARTPOLE_MIN),
    "ppo_offpolicy": ("cartpole_ppo_offpolicy_config.py", 20_000, {}, CARTPOLE_MIN),
    "dqn": ("cartpole_dqn_config.py", 4_000, {}, CARTPOLE_MIN),
    "c51": ("cartpole_c51_config.py", 6_000, {}, CARTPOLE_MIN),
    "qrdqn": ("cartpole_qrdqn_config.py", 8_000, {}, CARTPOLE_MIN),
    "iqn": ("cartpole_iqn_config.py", 6_000, {}, CARTPOLE_MIN),
    "rainbow": ("cartpole_rainbow_config.py", 4_000, {}, CARTPOLE_MIN),
    "discrete_sac": ("cartpole_sac_config.py", 6_000, {}, CARTPOLE_MIN),
    "fqf": ("cartpole_fqf_config.py", 3_000, {}, CARTPOLE_MIN),
    "dqn_stdim": ("cartpole_dqn_stdim_config.py", 4_000, {}, CARTPOLE_MIN),
    "ppo_pg": ("cartpole_ppo_pg_config.py", 20_000, {}, CARTPOLE_MIN),
    "ppo_stdim": ("cartpole_ppo_stdim_config.py", 20_000, {}, CARTPOLE_MIN),
    "sqn": ("cartpole_sqn_config.py", 4_000, {}, CARTPOLE_MIN),
    "mdqn": ("cartpole_mdqn_config.py", 4_000, {}, CARTPOLE_MIN),
    "sql": ("cartpole_sql_config.py", 4_000, {}, CARTPOLE_MIN),
    "bdq": ("pendulum_bdq_config.py", 10_000, {}, PENDULUM_MIN),
    "d4pg": ("pendulum_d4pg_config.py", 6_000, {}, PENDULUM_MIN),
    "ddpg": ("pendulum_ddpg_config.py", 6_000, {}, PENDULUM_MIN),
    "td3": ("pendulum_td3_config.py", 6_000, {}, PENDULUM_MIN),
    "sac": ("pendulum_sac_config.py", 6_000, {}, PENDULUM_MIN),
}
NAMES = sorted(POLICIES)


def merged(base: dict, edits: dict) -> dict:
    out = dict(base)
    for key, value in edits.items():
        out[key] = merged(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def trained_score(name: str, base_dir) -> tuple[float, SerialPipeline]:
    file, cap, edits, _ = LEARNING_RUNS[name]
    main, create, _ = load_config_file(file, SEARCH_PATH)
    pipeline = SerialPipeline(merged(main, edits), create, seed=0, max_env_step=cap, base_dir=base_dir).run()
    return float(greedy_returns(pipeline.policy, pipeline.cfg["env"], 20, seed=0).mean()), pipeline


def test_every_registered_policy_has_a_learning_run():
    assert sorted(LEARNING_RUNS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_trained_policy_clears_a_threshold_far_above_random(name, tmp_path):
    score, pipeline = trained_score(name, tmp_path)
    threshold = LEARNING_RUNS[name][3]
    assert score >= threshold, (f"{name}: greedy mean return {score:.1f} over 20 fresh episodes after "
                                f"{pipeline.collector.envstep} env steps ({pipeline.stop_reason}) is below {threshold}")


class RandomPolicy:
    """Uniform random actions, through the same scoring path as a trained policy."""

    def __init__(self, space) -> None:
        self.space = space
        self.rng = np.random.default_rng(0)

    def bind_action_space(self, space) -> None:
        self.space = space

    def eval_forward(self, obs: np.ndarray) -> np.ndarray:
        if hasattr(self.space, "n"):
            return self.rng.integers(self.space.n, size=len(obs))
        return self.rng.uniform(-1.0, 1.0, size=(len(obs), *self.space.shape)).astype(np.float32)


@pytest.mark.parametrize("file, threshold", [("cartpole_dqn_config.py", CARTPOLE_MIN),
                                             ("pendulum_td3_config.py", PENDULUM_MIN)])
def test_random_policy_scores_far_below_the_threshold(file, threshold, tmp_path):
    main, create, _ = load_config_file(file, SEARCH_PATH)
    cfg = SerialPipeline(main, create, seed=0, base_dir=tmp_path).cfg
    score = float(greedy_returns(RandomPolicy(None), cfg["env"], 20, seed=0).mean())
    margin = abs(threshold) * 0.5 if threshold > 0 else abs(threshold) * 1.5
    assert score < threshold - margin, score
