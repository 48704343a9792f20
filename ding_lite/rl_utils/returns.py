"""Monte-Carlo discounted returns."""

import torch
from torch import Tensor


def discounted_returns(
    rewards: Tensor, dones: Tensor, gamma: float, last_value: Tensor | float | None = None
) -> Tensor:
    """Return ``G_t = r_t + gamma * (1 - done_t) * G_{t+1}`` for ``[T]`` or ``[T, N]`` rewards.

    ``done_t`` resets the sum so returns never cross an episode boundary; this is
    what REINFORCE needs over whole episodes. ``last_value`` is ``G_T``, the
    bootstrap for a rollout cut before its episode ended (scalar or ``[N]``);
    ``None`` means 0, i.e. the rollout ends with complete episodes.
    """
    if dones.shape != rewards.shape:
        raise ValueError(
            f"discounted_returns: dones has shape {tuple(dones.shape)}, expected {tuple(rewards.shape)}"
        )
    not_done = 1.0 - dones.to(rewards.dtype)
    running = rewards.new_zeros(rewards.shape[1:])
    if last_value is not None:
        running = running + last_value
    out = []
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[t] + gamma * not_done[t] * running
        out.append(running)
    out.reverse()
    return torch.stack(out) if out else torch.zeros_like(rewards)
