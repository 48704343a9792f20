"""The advantage actor-critic loss (Mnih et al., 2016), as DI-engine's A2C weighs it."""

from torch import Tensor


def a2c_loss(logp: Tensor, entropy: Tensor, values: Tensor, advantages: Tensor, returns: Tensor,
             value_weight: float, entropy_weight: float) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """``(total, per_sample_value_error, info)`` over a flat batch ``[B]``.

    The policy term ``-mean(logp * A)`` is the plain policy gradient with the critic's advantage;
    the value term is the mean squared error to the return, *without* the 1/2 PPO uses (DI-engine's
    A2C weighs it this way, so its ``value_weight`` means the same here); the entropy bonus is
    subtracted. ``info`` holds the three terms for logging (still attached to the graph).
    """
    policy_loss = -(logp * advantages).mean()
    value_error = (returns - values).pow(2)
    value_loss = value_error.mean()
    entropy_mean = entropy.mean()
    total = policy_loss + value_weight * value_loss - entropy_weight * entropy_mean
    return total, value_error.detach(), {"policy_loss": policy_loss, "value_loss": value_loss,
                                         "entropy": entropy_mean}
