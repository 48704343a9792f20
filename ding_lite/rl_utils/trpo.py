"""TRPO's step computation (Schulman et al., 2015): conjugate gradient, KL divergences, line search.

The natural-gradient direction solves ``F x = g`` with ``F`` the Fisher matrix of the policy,
available only as a Fisher-vector product; the step is then scaled to the KL trust region and
shrunk until it both improves the surrogate loss and keeps the mean KL within ``max_kl``.
"""

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def conjugate_gradient(
    fvp: Callable[[Tensor], Tensor], b: Tensor, iters: int, residual_tol: float = 1e-10
) -> Tensor:
    """Approximate solution of ``A x = b`` for a symmetric positive-definite ``A`` given as ``x -> A x``.

    Starts from ``x = 0`` and runs at most ``iters`` conjugate-gradient steps (exact after
    ``len(b)`` steps in exact arithmetic; TRPO uses about 10), stopping once the squared residual
    norm ``|b - A x|^2`` falls below ``residual_tol``. ``b`` is a flat vector; nothing is detached,
    so pass a ``fvp`` without a graph to keep the loop cheap.
    """
    x = torch.zeros_like(b)
    residual = b.clone()
    direction = b.clone()
    residual_sq = residual.dot(residual)
    for _ in range(iters):
        if residual_sq.item() < residual_tol:
            break
        a_direction = fvp(direction)
        step = residual_sq / direction.dot(a_direction)
        x = x + step * direction
        residual = residual - step * a_direction
        new_residual_sq = residual.dot(residual)
        direction = residual + (new_residual_sq / residual_sq) * direction
        residual_sq = new_residual_sq
    return x


def categorical_kl(old_logits: Tensor, new_logits: Tensor) -> Tensor:
    """Mean over the batch of ``KL(old || new)`` between categoricals given by ``[B, A]`` logits.

    The direction TRPO constrains: the expectation is under the data-collecting (old) policy.
    """
    old_logp = F.log_softmax(old_logits, -1)
    new_logp = F.log_softmax(new_logits, -1)
    return (old_logp.exp() * (old_logp - new_logp)).sum(-1).mean()


def diag_gaussian_kl(old_mean: Tensor, old_log_std: Tensor, new_mean: Tensor, new_log_std: Tensor) -> Tensor:
    """Mean over the batch of ``KL(old || new)`` between diagonal Gaussians ``[B, D]``, summed over dims.

    Per dimension ``log(s_new / s_old) + (s_old^2 + (m_old - m_new)^2) / (2 s_new^2) - 1/2``.
    """
    var_ratio = torch.exp(2.0 * (old_log_std - new_log_std))
    mean_term = (old_mean - new_mean).pow(2) * torch.exp(-2.0 * new_log_std)
    per_dim = new_log_std - old_log_std + 0.5 * (var_ratio + mean_term) - 0.5
    return per_dim.sum(-1).mean()


def backtracking_line_search(
    f_loss_kl: Callable[[Tensor], tuple[Tensor, Tensor]],
    full_step: Tensor,
    expected_improve: float,
    max_kl: float,
    backtrack_ratio: float = 0.8,
    max_backtracks: int = 15,
    accept_ratio: float = 0.0,
) -> float:
    """The largest scale ``backtrack_ratio^k`` (``k < max_backtracks``) of ``full_step`` to accept, or 0.

    ``f_loss_kl(step)`` returns the surrogate loss (to minimise) and the mean KL from the old
    policy with ``step`` added to the old parameters; ``f_loss_kl(0)`` gives the loss before. A scale
    is accepted when its KL is at most ``max_kl`` and the loss improves by more than
    ``accept_ratio * scale * expected_improve``, where ``expected_improve`` is the first-order
    improvement predicted for the full step (``-g . full_step``). The default ``accept_ratio=0``
    is garage's rule (any improvement); Schulman's original code uses 0.1. A NaN loss or KL is never
    accepted. 0 means no step: the caller keeps the old parameters.
    """
    loss_before = float(f_loss_kl(torch.zeros_like(full_step))[0])
    for k in range(max_backtracks):
        scale = backtrack_ratio ** k
        loss, kl = f_loss_kl(scale * full_step)
        improvement = loss_before - float(loss)
        if float(kl) <= max_kl and improvement > accept_ratio * scale * expected_improve:
            return scale
    return 0.0
