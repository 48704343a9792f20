"""Adam without torch.optim's start-up cost.

``torch.optim.Optimizer`` imports torch._dynamo on first use (~1.5-2 s here), a large share of a
5-second CartPole run. This is the same algorithm (Kingma & Ba, with torch's default epsilon
placement), stepped by the fused CPU kernel that ``torch.optim.Adam(fused=True)`` uses (one op for all
parameters: ~0.3x the time of the 8 foreach ops, which were ~15% of a PPO update on CartPole), with a
plain-tensor state_dict for checkpoints.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch


def clip_grad_norm_(params: list[torch.Tensor], max_norm: float) -> torch.Tensor:
    """``torch.nn.utils.clip_grad_norm_`` (2-norm, CPU tensors of one dtype) minus its per-call work.

    The same foreach ops in the same order, so the same numbers; torch's version also re-walks the
    module tree and groups tensors by device and dtype on every call, which took ~20% of a CartPole
    PPO update (profile). Returns the total norm before clipping.
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0, device=params[0].device if params else None)
    total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads, 2.0)), 2.0)
    torch._foreach_mul_(grads, torch.clamp(max_norm / (total + 1e-6), max=1.0))
    return total


class Adam:
    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.step_count = 0
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        # The fused kernel reads the step count from one float32 tensor per parameter (on its device),
        # as torch.optim does.
        self._steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        params = [p for p in self.params if p.grad is not None]
        if len(params) != len(self.params):
            raise RuntimeError("Adam.step() needs a gradient for every parameter; call backward() first.")
        grads = [p.grad for p in params]
        beta1, beta2 = self.betas
        self.step_count += 1
        torch._foreach_add_(self._steps, 1)
        if hasattr(torch, "_fused_adam_"):
            torch._fused_adam_(params, grads, self.exp_avg, self.exp_avg_sq, [], self._steps, lr=self.lr,
                               beta1=beta1, beta2=beta2, weight_decay=0.0, eps=self.eps, amsgrad=False,
                               maximize=False)
            return
        torch._foreach_lerp_(self.exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sq, beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, 1 - beta2)
        bias1 = 1 - beta1 ** self.step_count
        bias2_sqrt = (1 - beta2 ** self.step_count) ** 0.5
        denom = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denom, bias2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, self.exp_avg, denom, -self.lr / bias1)

    def state_dict(self) -> dict:
        return {
            "lr": self.lr, "betas": list(self.betas), "eps": self.eps, "step": self.step_count,
            "exp_avg": [t.clone() for t in self.exp_avg], "exp_avg_sq": [t.clone() for t in self.exp_avg_sq],
        }

    def load_state_dict(self, state: dict) -> None:
        if len(state["exp_avg"]) != len(self.params):
            raise ValueError(f"optimizer state has {len(state['exp_avg'])} tensors for {len(self.params)} parameters.")
        self.lr, self.betas, self.eps = float(state["lr"]), tuple(state["betas"]), float(state["eps"])
        self.step_count = int(state["step"])
        for step in self._steps:
            step.fill_(self.step_count)
        for own, saved in zip(self.exp_avg + self.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"]):
            own.copy_(saved)


class RMSprop:
    """``torch.optim.RMSprop`` (no momentum, not centered) without torch.optim's start-up cost, with a
    plain-tensor state_dict: ``v = alpha v + (1 - alpha) g^2``, ``p -= lr g / (sqrt(v) + eps)``."""

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_avg = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        if any(g is None for g in grads):
            raise RuntimeError("RMSprop.step() needs a gradient for every parameter; call backward() first.")
        torch._foreach_mul_(self.square_avg, self.alpha)
        torch._foreach_addcmul_(self.square_avg, grads, grads, 1 - self.alpha)
        denom = torch._foreach_sqrt(self.square_avg)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, grads, denom, -self.lr)

    def state_dict(self) -> dict:
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps,
                "square_avg": [t.clone() for t in self.square_avg]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["square_avg"]) != len(self.params):
            raise ValueError(f"optimizer state has {len(state['square_avg'])} tensors for {len(self.params)} "
                             "parameters.")
        self.lr, self.alpha, self.eps = float(state["lr"]), float(state["alpha"]), float(state["eps"])
        for own, saved in zip(self.square_avg, state["square_avg"]):
            own.copy_(saved)
