"""n-step TD targets for Q-learning, with episode ends and time-limit truncation kept apart."""

import torch
from torch import Tensor


def nstep_return(
    rewards: Tensor,
    terminated: Tensor,
    truncated: Tensor,
    available: Tensor,
    gamma: float,
    ignore_done: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Discounted reward sums over windows of up to ``n`` steps, and how to bootstrap them.

    Inputs are ``[B, n]``: row ``b`` holds the ``n`` consecutive steps of one env starting at the
    sampled transition. ``available[b, k]`` says whether step ``k`` exists in the data at all (the
    newest transitions have fewer than ``n`` successors yet); column 0 must be available.

    A window stops after the first step that ends an episode (``terminated`` or ``truncated``), so
    no target ever spans an episode boundary, and it stops early where the data runs out. With
    ``m`` the window's length (``1 <= m <= n``) the target is

        G = sum_{k<m} gamma^k r_k + discount * Q(s_m),  discount = gamma^m * (1 - terminal),

    where ``terminal`` is True only when the window's last step *terminated* the episode: a
    truncated episode (time limit) still has a future, so it bootstraps from its final observation.
    ``ignore_done=True`` (DI-engine's ``learn.ignore_done``) bootstraps through terminations too,
    for envs whose only "termination" is a time limit in disguise; windows still stop there.

    Returns ``(returns [B], discount [B], last [B] long)`` where ``last = m - 1`` is the window
    column whose next observation is the bootstrap state.
    """
    if rewards.dim() != 2:
        raise ValueError(f"nstep_return: rewards must be [B, n], got shape {tuple(rewards.shape)}")
    shape = rewards.shape
    for name, t in (("terminated", terminated), ("truncated", truncated), ("available", available)):
        if t.shape != shape:
            raise ValueError(f"nstep_return: {name} has shape {tuple(t.shape)}, expected {tuple(shape)}")
    if not bool(available[:, 0].all()):
        raise ValueError("nstep_return: the first step of every window must be available")
    done = terminated.bool() | truncated.bool()
    alive = available.bool().clone()
    for k in range(1, shape[1]):
        alive[:, k] &= alive[:, k - 1] & ~done[:, k - 1]
    powers = gamma ** torch.arange(shape[1], dtype=rewards.dtype)
    returns = (rewards * powers * alive.to(rewards.dtype)).sum(1)
    length = alive.sum(1)
    last = length - 1
    terminal = terminated.bool().gather(1, last.unsqueeze(1)).squeeze(1)
    if ignore_done:
        terminal = torch.zeros_like(terminal)
    discount = (gamma ** length.to(rewards.dtype)) * (~terminal).to(rewards.dtype)
    return returns, discount, last


def greedy_target_value(next_q_target: Tensor, next_q_online: Tensor | None = None) -> Tensor:
    """Value of the bootstrap state, ``[B, A] -> [B]``.

    Without ``next_q_online`` this is DQN's ``max_a Q_target(s', a)``. With it, double-Q (van Hasselt
    et al., 2016): the online network picks ``argmax_a Q_online(s', a)`` and the target network
    values that action, which removes the max operator's upward bias. Ties go to the lowest index.
    """
    if next_q_online is None:
        return next_q_target.max(-1).values
    if next_q_online.shape != next_q_target.shape:
        raise ValueError(f"greedy_target_value: online q has shape {tuple(next_q_online.shape)}, "
                         f"target q has {tuple(next_q_target.shape)}")
    action = next_q_online.argmax(-1, keepdim=True)
    return next_q_target.gather(-1, action).squeeze(-1)


def td_target(returns: Tensor, discount: Tensor, next_value: Tensor) -> Tensor:
    """``G = returns + discount * next_value``, detached (a regression target, not a gradient path)."""
    return (returns + discount * next_value).detach()
