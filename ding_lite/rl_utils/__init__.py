"""Pure tensor functions for RL losses and targets (no module state, unit-tested by value)."""

from ding_lite.rl_utils.ac_losses import (
    critic_mse_loss,
    ddpg_actor_loss,
    discrete_sac_policy_loss,
    discrete_sac_target,
    sac_alpha_loss,
    sac_policy_loss,
    smoothed_target_action,
    tanh_gaussian_log_prob,
    tanh_gaussian_sample,
    twin_q_target,
)
from ding_lite.rl_utils.dist_td import c51_loss, c51_projection, iqn_loss, qrdqn_loss
from ding_lite.rl_utils.exploration import get_epsilon_greedy_fn
from ding_lite.rl_utils.gae import gae
from ding_lite.rl_utils.ppo_loss import (
    normalize_advantages,
    ppo_policy_loss,
    ppo_value_loss,
)
from ding_lite.rl_utils.returns import discounted_returns
from ding_lite.rl_utils.td import greedy_target_value, nstep_return, td_target
from ding_lite.rl_utils.trpo import backtracking_line_search, categorical_kl, conjugate_gradient, diag_gaussian_kl

__all__ = [
    "backtracking_line_search",
    "c51_loss",
    "c51_projection",
    "categorical_kl",
    "conjugate_gradient",
    "critic_mse_loss",
    "ddpg_actor_loss",
    "diag_gaussian_kl",
    "discounted_returns",
    "discrete_sac_policy_loss",
    "discrete_sac_target",
    "gae",
    "get_epsilon_greedy_fn",
    "greedy_target_value",
    "iqn_loss",
    "normalize_advantages",
    "nstep_return",
    "ppo_policy_loss",
    "ppo_value_loss",
    "qrdqn_loss",
    "sac_alpha_loss",
    "sac_policy_loss",
    "smoothed_target_action",
    "tanh_gaussian_log_prob",
    "tanh_gaussian_sample",
    "td_target",
    "twin_q_target",
]
