"""Pure tensor functions for RL losses and targets (no module state, unit-tested by value)."""

from ding_lite.rl_utils.exploration import get_epsilon_greedy_fn
from ding_lite.rl_utils.gae import gae
from ding_lite.rl_utils.ppo_loss import (
    normalize_advantages,
    ppo_policy_loss,
    ppo_value_loss,
)
from ding_lite.rl_utils.returns import discounted_returns
from ding_lite.rl_utils.td import greedy_target_value, nstep_return, td_target

__all__ = [
    "discounted_returns",
    "gae",
    "get_epsilon_greedy_fn",
    "greedy_target_value",
    "normalize_advantages",
    "nstep_return",
    "ppo_policy_loss",
    "ppo_value_loss",
    "td_target",
]
