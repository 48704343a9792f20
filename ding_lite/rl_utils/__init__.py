"""Pure tensor functions for RL losses and targets (no module state, unit-tested by value)."""

from ding_lite.rl_utils.gae import gae
from ding_lite.rl_utils.ppo_loss import (
    normalize_advantages,
    ppo_policy_loss,
    ppo_value_loss,
)
from ding_lite.rl_utils.returns import discounted_returns

__all__ = [
    "discounted_returns",
    "gae",
    "normalize_advantages",
    "ppo_policy_loss",
    "ppo_value_loss",
]
