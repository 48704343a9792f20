"""ST-DIM's auxiliary objective (Anand et al., 2019) as DI-engine 0.5.3's ``ContrastiveLoss`` computes it: InfoNCE
between the encodings of each observation and of its successor, the batch's other successors as negatives."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

NEGATIVE_FILL = 10.0
"""DI-engine puts -10 where a sample would be its own negative (the diagonal)."""


def infonce_loss(x: Tensor, y: Tensor, temperature: float = 1.0) -> Tensor:
    """``x`` ``[N, x_heads, E]`` (observations) and ``y`` ``[N, y_heads, E]`` (their successors): for every sample
    and head pair, ``-log softmax`` of the positive score ``x_i . y_i`` among it and the scores ``y_i . x_j``
    (``j != i``, every x head), scores multiplied by ``temperature`` (DI-engine multiplies); the mean over all."""
    n, x_heads, _ = x.shape
    y_heads = y.shape[1]
    positive = torch.matmul(x, y.transpose(1, 2)).unsqueeze(2)  # [N, xh, 1, yh]
    scores = torch.mm(y.reshape(n * y_heads, -1), x.reshape(n * x_heads, -1).t())
    scores = scores.view(n, y_heads, n, x_heads).permute(0, 2, 3, 1)  # [N (y), N (x), xh, yh]
    other = 1.0 - torch.eye(n, dtype=x.dtype, device=x.device)[:, :, None, None]
    negative = other * scores - NEGATIVE_FILL * (1.0 - other)
    negative = negative.reshape(n, n * x_heads, y_heads).unsqueeze(1).expand(-1, x_heads, -1, -1)
    log_p = F.log_softmax(torch.cat([positive, negative], 2) * temperature, dim=2)
    return -log_p[:, :, 0, :].mean()
