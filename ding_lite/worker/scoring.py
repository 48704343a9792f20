"""Score a policy the way the results table and the learning tests do: its greedy mean return over fresh episodes.

The evaluator's figure during training is the best of many small evaluations, so a lucky one can "solve" an
env that the policy does not hold; a score here is one fixed policy on many episodes nobody has seen, seeded
apart from the collector's and the evaluator's so none is replayed.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ding_lite.envs.make import env_options
from ding_lite.envs.managers import make_manager

SCORE_SEED_OFFSET = 200_000
"""Scoring envs are seeded apart from the collector's (offset 0) and the evaluator's (100,000)."""
MAX_SCORE_ENVS = 10


def greedy_returns(policy: Any, env_cfg: dict, episodes: int, seed: int) -> np.ndarray:
    """The undiscounted return of each of ``episodes`` greedy episodes of ``policy`` on fresh envs.

    ``env_cfg`` is a compiled config's ``env`` section (its env id, time limit and wrappers are used as the
    evaluator uses them); episodes are spread over up to 10 envs stepped together with one batched forward.
    """
    n_env = min(episodes, MAX_SCORE_ENVS)
    env = make_manager(env_cfg["env_id"], n_env, seed + SCORE_SEED_OFFSET, "auto", env_cfg["max_episode_steps"],
                       env_options=env_options(env_cfg, evaluator=True))
    try:
        policy.bind_action_space(env.action_space)
        quota = np.array([episodes // n_env + (i < episodes % n_env) for i in range(n_env)])
        active = quota > 0
        ep_return = np.zeros(n_env)
        returns: list[float] = []
        obs = env.reset()
        while active.any():
            res = env.step(policy.eval_forward(obs))
            ep_return += res.reward * active
            for i in np.flatnonzero((res.terminated | res.truncated) & active):
                returns.append(float(ep_return[i]))
                ep_return[i] = 0.0
                quota[i] -= 1
                active[i] = quota[i] > 0
            obs = res.obs
    finally:
        env.close()
    return np.array(returns)
