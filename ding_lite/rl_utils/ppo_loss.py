"""PPO clipped objectives (Schulman et al., 2017) and advantage normalisation."""

import torch
from torch import Tensor


def ppo_policy_loss(
    logp_new: Tensor, logp_old: Tensor, advantages: Tensor, clip_ratio: float
) -> tuple[Tensor, dict[str, Tensor]]:
    """Clipped surrogate loss over a flat batch ``[B]``, plus diagnostics.

    Taking the minimum of the clipped and unclipped terms makes the objective a
    pessimistic bound: the policy gains nothing from moving the probability
    ratio outside ``[1 - clip_ratio, 1 + clip_ratio]`` in the direction the
    advantage favours, which keeps each update close to the data-collecting policy.

    ``info`` holds detached scalars for logging: ``approx_kl`` (the sample
    estimate of KL(old || new), ``mean(logp_old - logp_new)``) and ``clipfrac``
    (fraction of samples whose ratio lies outside the clip range).
    """
    ratio = torch.exp(logp_new - logp_old)
    surr = ratio * advantages
    surr_clipped = torch.clamp(ratio, 1.0 - clip_ratio, 1.0 + clip_ratio) * advantages
    loss = -torch.min(surr, surr_clipped).mean()
    with torch.no_grad():
        info = {
            "approx_kl": (logp_old - logp_new).mean(),
            "clipfrac": ((ratio - 1.0).abs() > clip_ratio).to(ratio.dtype).mean(),
        }
    return loss, info


def ppo_value_loss(
    values_new: Tensor, values_old: Tensor, returns: Tensor, clip_ratio: float | None
) -> Tensor:
    """Value regression loss ``0.5 * mean((v - R)^2)``, optionally clipped.

    With ``clip_ratio`` set, the new value may move at most ``clip_ratio`` away
    from the value seen at collection time before the loss stops rewarding the
    move; taking the max of both errors keeps the update pessimistic, as in the
    policy loss. ``None`` disables clipping.
    """
    err = (values_new - returns).pow(2)
    if clip_ratio is not None:
        v_clipped = values_old + torch.clamp(values_new - values_old, -clip_ratio, clip_ratio)
        err = torch.max(err, (v_clipped - returns).pow(2))
    return 0.5 * err.mean()


def normalize_advantages(adv: Tensor, eps: float = 1e-8) -> Tensor:
    """Standardise advantages to zero mean and unit std over the whole tensor.

    This makes the policy step size independent of the reward scale. The std is
    the unbiased (``correction=1``, torch default) estimate, matching what most
    PPO implementations use; it is undefined for a single element, so fewer
    than two elements raise instead of silently producing NaN.
    """
    if adv.numel() < 2:
        raise ValueError("normalize_advantages needs at least 2 elements (unbiased std)")
    return (adv - adv.mean()) / (adv.std() + eps)
