"""Where a policy's tensors live, decided once from ``policy.cuda`` (DI-engine's key and behaviour)."""
from __future__ import annotations

from typing import Any

import torch


def resolve_device(cuda: bool) -> tuple[torch.device, str | None]:
    """The GPU when asked for and present; otherwise the CPU, with the sentence the run's log says once."""
    if not cuda:
        return torch.device("cpu"), None
    if torch.cuda.is_available():
        return torch.device("cuda"), None
    return torch.device("cpu"), "policy.cuda=True, but no CUDA device is available: training on the CPU."


def to_cpu(value: Any) -> Any:
    """Tensors moved to the CPU throughout nested dicts/lists, so checkpoints never depend on the device."""
    if isinstance(value, torch.Tensor):
        return value.cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cpu(v) for v in value]
    return value
