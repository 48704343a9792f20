"""Off-policy actor-critic pieces: DDPG (Lillicrap et al., 2016), TD3 (Fujimoto et al., 2018),
SAC (Haarnoja et al., 2018) and discrete SAC (Christodoulou, 2019).

Targets bootstrap as :func:`ding_lite.rl_utils.td.td_target` does, from the replay buffer's n-step
``returns`` and ``discount`` (``gamma^m``, zero after a termination). The critic loss returns
``(loss, per_sample_error, info)`` for prioritized replay; actor and temperature losses have no TD
error and return ``(loss, info)`` like :func:`ding_lite.rl_utils.ppo_loss.ppo_policy_loss`. A
temperature ``alpha`` given as a tensor is treated as a constant (detached) everywhere but in
:func:`sac_alpha_loss`, the one loss that trains it.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor

_LOG2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _const(alpha: float | Tensor) -> float | Tensor:
    return alpha.detach() if isinstance(alpha, Tensor) else alpha


def _min_q(q1: Tensor, q2: Tensor | None) -> Tensor:
    return q1 if q2 is None else torch.min(q1, q2)


def twin_q_target(
    q1_next: Tensor,
    q2_next: Tensor | None,
    returns: Tensor,
    discount: Tensor,
    alpha: float | Tensor = 0.0,
    next_logp: Tensor | None = None,
) -> Tensor:
    """``returns + discount * (min(Q1', Q2') - alpha * log pi(a'|s'))``, detached, ``[B]``.

    Taking the smaller of two target critics (clipped double Q) counters the over-estimation a
    single critic accumulates through bootstrapping. ``q2_next=None`` is DDPG's single critic;
    ``alpha`` with ``next_logp`` (the log-prob of the action sampled in the bootstrap state) adds
    SAC's entropy bonus, and a non-zero ``alpha`` without ``next_logp`` is refused.
    """
    next_value = _min_q(q1_next, q2_next)
    if next_logp is not None:
        next_value = next_value - _const(alpha) * next_logp
    elif isinstance(alpha, Tensor) or alpha != 0.0:
        raise ValueError("twin_q_target: an entropy temperature alpha needs next_logp")
    return (returns + discount * next_value).detach()


def smoothed_target_action(
    action: Tensor,
    noise_sigma: float,
    noise_clip: tuple[float, float],
    low: float | Tensor,
    high: float | Tensor,
    generator: torch.Generator,
) -> Tensor:
    """TD3's target policy smoothing: ``clip(a' + clip(N(0, sigma), *noise_clip), low, high)``.

    Smoothing the target action over a small neighbourhood stops the critic from exploiting narrow
    peaks of its own error. ``noise_clip`` is DI-engine's ``noise_range`` ``(min, max)``; ``low`` and
    ``high`` are the action bounds (scalars or per-dimension tensors on ``action``'s device). The
    noise is drawn from ``generator`` on the CPU and then moved, so the random stream (and exact
    resume) does not depend on the device.
    """
    noise = torch.randn(action.shape, generator=generator, dtype=action.dtype) * noise_sigma
    noise = noise.clamp(noise_clip[0], noise_clip[1]).to(action.device)
    return torch.clamp(action.detach() + noise, low, high)


def tanh_gaussian_log_prob(pre_tanh: Tensor, mean: Tensor, log_std: Tensor) -> Tensor:
    """Log-density of ``a = tanh(u)``, ``u ~ N(mean, exp(log_std))``, summed over the last dim, ``[...]``.

    The change of variables subtracts ``log(1 - tanh(u)^2)`` per dimension, written as
    ``2 * (log 2 - u - softplus(-2u))``: the same quantity without ``1 - tanh^2`` rounding to 0
    (and its log to -inf) once ``|u|`` passes about 9 in float32.
    """
    z = (pre_tanh - mean) * torch.exp(-log_std)
    gaussian = -0.5 * z.pow(2) - log_std - _HALF_LOG_2PI
    correction = 2.0 * (_LOG2 - pre_tanh - F.softplus(-2.0 * pre_tanh))
    return (gaussian - correction).sum(-1)


def tanh_gaussian_sample(mean: Tensor, log_std: Tensor, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Reparameterised SAC action ``tanh(mean + std * eps)`` and its log-prob ``[B]``.

    ``eps`` comes from ``generator`` on the CPU, then moves to ``mean``'s device; gradients flow
    to ``mean`` and ``log_std`` through both outputs.
    """
    eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype).to(mean.device)
    pre_tanh = mean + torch.exp(log_std) * eps
    return torch.tanh(pre_tanh), tanh_gaussian_log_prob(pre_tanh, mean, log_std)


def critic_mse_loss(
    q1: Tensor, q2: Tensor | None, target: Tensor, weight: Tensor | None = None
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Squared-error loss of one or two critics ``[B]`` against a shared target ``[B]``.

    ``loss = mean(w * (Q1 - y)^2) + mean(w * (Q2 - y)^2)`` (DI-engine sums its critic and twin
    losses; no 1/2). ``per_sample_error`` is the TD-error magnitude ``|Q - y|``, averaged over the
    two critics when there are two, as DI-engine's TD3 priority.
    """
    target = target.detach()
    critics = (q1,) if q2 is None else (q1, q2)
    errors = [q - target for q in critics]
    if weight is not None and weight.shape != target.shape:
        raise ValueError(f"critic_mse_loss: weight has shape {tuple(weight.shape)}, expected {tuple(target.shape)}")
    loss = sum((e.pow(2) if weight is None else weight * e.pow(2)).mean() for e in errors)
    per_sample = torch.stack([e.detach().abs() for e in errors]).mean(0)
    info = {"q_value": q1.detach().mean(), "target_q_value": target.mean()}
    if q2 is not None:
        info["q_value_twin"] = q2.detach().mean()
    return loss, per_sample, info


def ddpg_actor_loss(q_policy: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
    """Deterministic policy gradient: ``-mean Q(s, mu(s))`` (TD3 uses the first critic only)."""
    loss = -q_policy.mean()
    return loss, {"actor_q_value": q_policy.detach().mean()}


def sac_policy_loss(
    q1_policy: Tensor, q2_policy: Tensor | None, logp: Tensor, alpha: float | Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    """SAC's actor loss ``mean(alpha * log pi(a|s) - min(Q1, Q2)(s, a))`` for ``a ~ pi`` reparameterised."""
    loss = (_const(alpha) * logp - _min_q(q1_policy, q2_policy)).mean()
    return loss, {"entropy": -logp.detach().mean()}


def sac_alpha_loss(log_alpha: Tensor, logp: Tensor, target_entropy: float) -> tuple[Tensor, dict[str, Tensor]]:
    """Temperature loss ``-mean(log_alpha * (log pi + target_entropy))`` with the bracket detached.

    Its gradient raises alpha while the policy's entropy ``-log pi`` is below ``target_entropy``
    and lowers it above. It trains ``log_alpha`` (as DI-engine and SB3 do) so alpha stays positive.
    For discrete SAC pass the expected log-prob ``sum_a pi log pi``, i.e. minus the entropy.
    """
    loss = -(log_alpha * (logp.detach() + target_entropy)).mean()
    return loss, {"alpha": log_alpha.detach().exp()}


def discrete_sac_target(
    q1_next: Tensor,
    q2_next: Tensor | None,
    next_logits: Tensor,
    returns: Tensor,
    discount: Tensor,
    alpha: float | Tensor,
) -> Tensor:
    """Discrete SAC's critic target, detached, ``[B]``.

    With a finite action set the soft value is an exact expectation instead of a sample:
    ``V(s') = sum_a pi(a|s') (min(Q1', Q2')(s', a) - alpha log pi(a|s'))``, from the policy's
    ``[B, A]`` logits in the bootstrap state, and the target is ``returns + discount * V(s')``.
    """
    logp = F.log_softmax(next_logits, -1)
    soft_q = _min_q(q1_next, q2_next) - _const(alpha) * logp
    next_value = (logp.exp() * soft_q).sum(-1)
    return (returns + discount * next_value).detach()


def discrete_sac_policy_loss(
    logits: Tensor, q1: Tensor, q2: Tensor | None, alpha: float | Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    """Discrete SAC's actor loss ``mean_s sum_a pi(a|s) (alpha log pi(a|s) - min(Q1, Q2)(s, a))``.

    ``logits``, ``q1``, ``q2`` are ``[B, A]``; the critics are detached here (only the policy
    learns from this loss). ``info["entropy"]`` is the mean policy entropy; pass
    ``-info["entropy"]`` to :func:`sac_alpha_loss` as the expected log-prob.
    """
    logp = F.log_softmax(logits, -1)
    probs = logp.exp()
    loss = (probs * (_const(alpha) * logp - _min_q(q1, q2).detach())).sum(-1).mean()
    return loss, {"entropy": -(probs * logp).sum(-1).detach().mean()}
