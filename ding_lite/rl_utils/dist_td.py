"""Distributional TD losses: C51 (Bellemare et al., 2017), QR-DQN (Dabney et al., 2018a), IQN (2018b).

Every target here bootstraps the way :func:`ding_lite.rl_utils.td.td_target` does: ``returns`` is the
discounted n-step reward sum and ``discount`` is ``gamma^m`` already zeroed for windows that
terminated, both as :meth:`ReplayBuffer.sample` hands them out beside ``bootstrap_obs``. Each loss
returns ``(loss, per_sample_error, info)``: ``per_sample_error`` ``[B]`` is the unweighted per-sample
loss (cross-entropy or quantile Huber loss, the priority DI-engine and Rainbow use), ``loss`` is its
mean weighted by the optional importance-sampling ``weight`` ``[B]``, and ``info`` holds detached
scalars for logging.
"""

import torch
import torch.nn.functional as F
from torch import Tensor


def c51_projection(
    next_dist: Tensor, returns: Tensor, discount: Tensor, v_min: float, v_max: float, n_atom: int
) -> Tensor:
    """Project the shifted bootstrap distribution back onto the fixed support, ``[B, n_atom]``.

    ``next_dist`` ``[B, n_atom]`` holds the probabilities of the action chosen in the bootstrap state.
    Atom ``z_j`` moves to ``returns + discount * z_j``, is clipped to ``[v_min, v_max]`` and its
    mass is split between the two neighbouring support points in proportion to closeness: atom
    position ``b_j`` (in units of the atom spacing) gives support point ``k`` the share
    ``max(0, 1 - |b_j - k|)``. This form needs no special case for a ``b_j`` landing exactly on a
    support point, and it is a dense sum rather than a scatter, so it is deterministic on every
    device (``B * n_atom^2`` work: 2601 multiply-adds per sample for 51 atoms). The result is
    detached: it is a target.
    """
    if n_atom < 2:
        raise ValueError(f"c51_projection: n_atom must be at least 2, got {n_atom}")
    if next_dist.shape != (returns.shape[0], n_atom):
        raise ValueError(f"c51_projection: next_dist has shape {tuple(next_dist.shape)}, "
                         f"expected {(returns.shape[0], n_atom)}")
    support = torch.linspace(v_min, v_max, n_atom, dtype=next_dist.dtype, device=next_dist.device)
    target_z = (returns.unsqueeze(1) + discount.unsqueeze(1) * support).clamp(v_min, v_max)
    position = (target_z - v_min) / ((v_max - v_min) / (n_atom - 1))
    atoms = torch.arange(n_atom, dtype=next_dist.dtype, device=next_dist.device)
    share = (1.0 - (position.unsqueeze(2) - atoms).abs()).clamp(min=0.0)  # [B, from atom j, to atom k]
    return (next_dist.unsqueeze(2) * share).sum(1).detach()


def _weighted_mean(per_sample: Tensor, weight: Tensor | None) -> Tensor:
    if weight is None:
        return per_sample.mean()
    if weight.shape != per_sample.shape:
        raise ValueError(f"importance weight has shape {tuple(weight.shape)}, expected {tuple(per_sample.shape)}")
    return (per_sample * weight).mean()


def c51_loss(
    logits_or_dist: Tensor,
    action: Tensor,
    target_dist: Tensor,
    weight: Tensor | None = None,
    from_logits: bool = True,
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Cross-entropy between the projected target and the taken action's distribution.

    ``logits_or_dist`` is ``[B, A, n_atom]``: unnormalised logits (``from_logits=True``, the stable
    path through ``log_softmax``) or probabilities, as DI-engine's ``distribution`` output (their log
    is taken after clamping at 1e-8, so a zero probability gives a large finite loss, not inf).
    ``target_dist`` ``[B, n_atom]`` comes from :func:`c51_projection`. Per sample the error is
    ``-sum_k target_k log p_k``; it differs from the KL divergence only by the target's entropy,
    which carries no gradient.
    """
    index = action.long().view(-1, 1, 1).expand(-1, 1, logits_or_dist.shape[-1])
    taken = logits_or_dist.gather(1, index).squeeze(1)
    log_p = F.log_softmax(taken, -1) if from_logits else taken.clamp(min=1e-8).log()
    per_sample = -(target_dist.detach() * log_p).sum(-1)
    loss = _weighted_mean(per_sample, weight)
    return loss, per_sample.detach(), {"cross_entropy": per_sample.detach().mean()}


def _quantile_huber(
    pred: Tensor, taus: Tensor, target: Tensor, kappa: float, weight: Tensor | None
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """Quantile Huber loss of online quantiles ``pred`` ``[B, N]`` at fractions ``taus`` against ``target``.

    With ``u = target_j - pred_i`` the pair loss is ``|tau_i - 1{u < 0}| * L_kappa(u) / kappa``
    (``L_kappa`` the Huber loss, quadratic within ``kappa``): an over-estimate (``u < 0``) weighs
    ``1 - tau_i``, an under-estimate ``tau_i``. Per sample it is summed over the online quantiles
    ``i`` and averaged over the target samples ``j``, as in both papers and DI-engine's IQN (its
    QR-DQN sums over targets and averages over online quantiles: the same number when ``N = N'``).
    """
    if kappa <= 0:
        raise ValueError(f"quantile Huber loss: kappa must be positive, got {kappa}")
    if pred.dim() != 2 or target.dim() != 2 or pred.shape[0] != target.shape[0]:
        raise ValueError(f"quantile Huber loss: quantiles must be [B, N] and targets [B, N'], "
                         f"got {tuple(pred.shape)} and {tuple(target.shape)}")
    target = target.detach()
    u = target.unsqueeze(2) - pred.unsqueeze(1)  # [B, N' target, N online]
    abs_u = u.abs()
    huber = torch.where(abs_u <= kappa, 0.5 * u.pow(2), kappa * (abs_u - 0.5 * kappa))
    pair = (taus.unsqueeze(-2) - (u < 0).to(u.dtype)).abs() * huber / kappa
    per_sample = pair.mean(1).sum(-1)
    loss = _weighted_mean(per_sample, weight)
    info = {
        "quantile_huber": per_sample.detach().mean(),
        "q_value": pred.detach().mean(),
        "target_q_value": target.mean(),
    }
    return loss, per_sample.detach(), info


def qrdqn_loss(
    q_quantiles_taken: Tensor, target_quantiles: Tensor, kappa: float = 1.0, weight: Tensor | None = None
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """QR-DQN's loss for the taken action's ``N`` quantiles ``[B, N]`` against ``[B, N']`` targets.

    The quantiles sit at the fixed midpoints ``tau_hat_i = (2i + 1) / (2N)``, ``i = 0..N-1``, the
    fractions that minimise the 1-Wasserstein distance to the target. Targets are
    ``returns + discount * theta_j(s', a*)`` (detached here). ``kappa = 1`` is DI-engine's QR-DQN
    (``smooth_l1_loss``).
    """
    n = q_quantiles_taken.shape[-1]
    taus = (2 * torch.arange(n, dtype=q_quantiles_taken.dtype, device=q_quantiles_taken.device) + 1) / (2 * n)
    return _quantile_huber(q_quantiles_taken, taus, target_quantiles, kappa, weight)


def iqn_loss(
    quantiles: Tensor, taus: Tensor, target: Tensor, kappa: float = 1.0, weight: Tensor | None = None
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """IQN's loss: quantiles ``[B, N]`` at the sampled fractions ``taus`` ``[B, N]`` against ``[B, N']``.

    The same quantile Huber loss as :func:`qrdqn_loss`, with the fractions drawn per sample (the
    ones the quantile embedding was evaluated at) instead of fixed; ``target`` is evaluated at an
    independent draw of ``N'`` fractions in the bootstrap state.
    """
    if taus.shape != quantiles.shape:
        raise ValueError(f"iqn_loss: taus has shape {tuple(taus.shape)}, expected {tuple(quantiles.shape)}")
    return _quantile_huber(quantiles, taus.detach(), target, kappa, weight)


def fqf_fraction_loss(inner_quantiles: Tensor, mid_quantiles: Tensor, taus: Tensor) -> Tensor:
    """FQF's fraction loss (Yang et al., 2019, eq. 8), as DI-engine's ``fqf_calculate_fraction_loss``.

    For the taken action: ``inner_quantiles`` ``[B, N-1]`` are the quantile values at the inner fractions
    ``tau_1..tau_{N-1}``, ``mid_quantiles`` ``[B, N]`` those at the midpoints ``tau_hat_0..tau_hat_{N-1}``,
    ``taus`` ``[B, N+1]`` the fractions (``tau_0 = 0``, ``tau_N = 1``). The 1-Wasserstein gradient with respect to
    ``tau_i`` is ``2 F^-1(tau_i) - F^-1(tau_hat_{i-1}) - F^-1(tau_hat_i)``; DI-engine flips each half's sign
    where the quantile function is not monotone there. The loss is that (constant) gradient times ``tau_i``,
    summed over ``i`` and averaged over the batch, so its gradient reaches only the fractions.
    """
    if inner_quantiles.shape[1] != mid_quantiles.shape[1] - 1 or taus.shape[1] != mid_quantiles.shape[1] + 1:
        raise ValueError(f"fqf_fraction_loss: expected [B, N-1], [B, N], [B, N+1], got {tuple(inner_quantiles.shape)}, "
                         f"{tuple(mid_quantiles.shape)}, {tuple(taus.shape)}")
    inner, mid = inner_quantiles.detach(), mid_quantiles.detach()
    below, above = inner - mid[:, :-1], inner - mid[:, 1:]
    rising_below = inner > torch.cat([mid[:, :1], inner[:, :-1]], 1)
    rising_above = inner < torch.cat([inner[:, 1:], mid[:, -1:]], 1)
    grad = torch.where(rising_below, below, -below) + torch.where(rising_above, above, -above)
    return (grad * taus[:, 1:-1]).sum(1).mean()


def d4pg_critic_loss(logits: Tensor, next_dist: Tensor, returns: Tensor, discount: Tensor, v_min: float,
                     v_max: float, weight: Tensor | None = None) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """D4PG's distributional critic loss (Barth-Maron et al., 2018): cross-entropy of the critic's ``logits``
    ``[B, n_atom]`` for the taken action against the target critic's distribution ``next_dist`` ``[B, n_atom]``
    (at the target actor's action in the bootstrap state), projected by :func:`c51_projection`."""
    target = c51_projection(next_dist, returns, discount, v_min, v_max, logits.shape[-1])
    zero = torch.zeros(len(logits), dtype=torch.long, device=logits.device)
    return c51_loss(logits.unsqueeze(1), zero, target, weight)
