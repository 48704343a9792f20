"""Entropy-regularised Q targets: soft Q-learning (SQL, Haarnoja et al. 2017) and Munchausen DQN (Vieillard et al.
2020), as DI-engine 0.5.3 computes them (``q_nstep_sql_td_error``, ``m_q_1step_td_error``).

Both bootstrap the way :func:`ding_lite.rl_utils.td.td_target` does: ``returns`` is the discounted n-step reward
sum and ``discount`` is ``gamma^m`` already zeroed where the window terminated. Each loss returns
``(loss, per_sample_error, info)``: the per-sample squared error (the priority), its mean weighted by the optional
importance-sampling ``weight`` and detached scalars for logging.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

SOFT_VALUE_BOUND = 20.0
"""DI-engine replaces an infinite soft value (an overflow of ``logsumexp(q / alpha)``) by +-20; so does this."""
MUNCHAUSEN_CLIP = (-1.0, 1.0)
"""DI-engine clips the Munchausen bonus ``tau * log pi(a|s)`` to [-1, 1] (the paper's l_0 = -1, upper bound 1)."""


def _weighted(per_sample: Tensor, weight: Tensor | None) -> Tensor:
    return per_sample.mean() if weight is None else (per_sample * weight).mean()


def soft_value(q: Tensor, alpha: float) -> Tensor:
    """``V(s) = alpha * logsumexp(Q(s, .) / alpha)``, ``[B, A] -> [B]``: the soft maximum the policy
    ``softmax(Q / alpha)`` attains; infinities (an overflow) become +-20 as in DI-engine."""
    value = alpha * torch.logsumexp(q / alpha, -1)
    return torch.where(value.isinf(), value.sign() * SOFT_VALUE_BOUND, value)


def sql_loss(q_taken: Tensor, next_target_q: Tensor, returns: Tensor, discount: Tensor, alpha: float,
             weight: Tensor | None = None) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Soft Q-learning: regress ``Q(s, a)`` on ``returns + discount * V_target(s')`` with the soft value above.

    ``next_target_q`` ``[B, A]`` is the target network's Q at the bootstrap state (no double-Q: the soft value
    averages over actions instead of picking one).
    """
    next_value = soft_value(next_target_q, alpha)
    target = (returns + discount * next_value).detach()
    per_sample = (q_taken - target).pow(2)
    return _weighted(per_sample, weight), per_sample.detach(), {
        "target_value": next_value.detach().mean(), "target_q_value": target.mean(), "q_value": q_taken.detach().mean()}


def scaled_log_policy(q: Tensor, tau: float) -> Tensor:
    """``tau * log softmax(Q / tau)``, computed stably as ``Q - max Q - tau * logsumexp((Q - max Q) / tau)``."""
    shifted = q - q.max(-1, keepdim=True).values
    return shifted - tau * torch.logsumexp(shifted / tau, -1, keepdim=True)


def munchausen_loss(q_taken: Tensor, target_q: Tensor, next_target_q: Tensor, action: Tensor, returns: Tensor,
                    discount: Tensor, tau: float, alpha: float, weight: Tensor | None = None,
                    ) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Munchausen DQN: the soft target plus ``alpha * clip(tau * log pi(a|s), -1, 1)``, pi = softmax(Q_target / tau).

    ``target_q`` ``[B, A]`` is the target network at ``s`` (its log-policy gives the bonus of the taken
    ``action``), ``next_target_q`` at the bootstrap state: the bootstrap is
    ``sum_a' pi(a'|s') (Q_target(s', a') - tau log pi(a'|s'))``. ``info`` has DI-engine's ``action_gap``
    (mean gap between the target net's two best actions) and ``clip_frac`` (share of bonuses clipped).
    """
    log_pi = scaled_log_policy(target_q, tau)  # tau * log pi
    bonus = log_pi.gather(1, action.long().unsqueeze(1)).squeeze(1)
    munchausen = alpha * bonus.clamp(*MUNCHAUSEN_CLIP)
    next_log_pi = scaled_log_policy(next_target_q, tau)
    next_pi = F.softmax((next_target_q - next_target_q.max(-1, keepdim=True).values) / tau, -1)
    next_value = (next_pi * (next_target_q - next_log_pi)).sum(-1)
    target = (returns + munchausen + discount * next_value).detach()
    per_sample = (q_taken - target).pow(2)
    top2 = target_q.topk(2, dim=-1).values
    return _weighted(per_sample, weight), per_sample.detach(), {
        "q_value": q_taken.detach().mean(), "target_q_value": target.mean(),
        "action_gap": (top2[:, 0] - top2[:, 1]).mean().detach(),
        "clip_frac": ((bonus < MUNCHAUSEN_CLIP[0]) | (bonus > MUNCHAUSEN_CLIP[1])).float().mean().detach()}


def sqn_losses(q0_taken: Tensor, q1_taken: Tensor, next_q0: Tensor, next_q1: Tensor, returns: Tensor,
               discount: Tensor, log_alpha: Tensor, target_entropy: float) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Soft Q-network (DI-engine 0.5.3's ``sqn``): twin Q nets regress on a soft bootstrap of the smaller target Q.

    With ``Q' = min(next_q0, next_q1)`` (target nets at the bootstrap state), ``pi = softmax(Q' / alpha)``: the
    target is ``returns + discount * sum pi (Q' - alpha log pi)``; the Q loss is the sum of both nets' mean squared
    errors; the temperature loss is ``log_alpha * mean(H(pi) - target_entropy)`` (so alpha falls while the policy is
    more random than ``target_entropy``). Returns (Q loss, alpha loss, info).
    """
    alpha = log_alpha.detach().exp()
    with torch.no_grad():
        q_next = torch.min(next_q0, next_q1)
        log_pi = F.log_softmax(q_next / alpha, -1)
        pi = log_pi.exp()
        target = returns + discount * (pi * (q_next - alpha * log_pi)).sum(-1)
        entropy = -(pi * log_pi).sum(-1)
    q_loss = (q0_taken - target).pow(2).mean() + (q1_taken - target).pow(2).mean()
    alpha_loss = log_alpha * (entropy - target_entropy).mean()
    return q_loss, alpha_loss.sum(), {"entropy": entropy.mean(), "target_q_value": target.mean()}
