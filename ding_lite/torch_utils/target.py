"""A target network that follows an online one: hard copies every N updates, or soft (Polyak) updates."""
from __future__ import annotations

import torch
from torch import nn


class TargetNetwork:
    """Holds ``net`` (a separately built twin of ``online``, so building it draws what it always drew).

    ``update(step)`` after the ``step``-th gradient update: with ``update_freq`` N > 0 the online weights are
    copied when ``step % N == 0``; with N == 0, ``target <- target + theta * (online - target)``. Its state is
    the target weights; what to call when is the owner's update counter, already in the checkpoint.
    """

    def __init__(self, online: nn.Module, net: nn.Module, update_freq: int, theta: float) -> None:
        net.load_state_dict(online.state_dict())
        net.requires_grad_(False)
        self.net = net
        self.update_freq = update_freq
        self.theta = theta
        self._online = list(online.parameters())
        self._target = list(net.parameters())

    def __call__(self, *args: torch.Tensor) -> torch.Tensor:
        return self.net(*args)

    @torch.no_grad()
    def update(self, step: int) -> None:
        if self.update_freq:
            if step % self.update_freq == 0:
                torch._foreach_copy_(self._target, self._online)
        else:
            torch._foreach_lerp_(self._target, self._online, self.theta)
