"""The two statistics bench/fidelity.py prints per file: a bootstrap interval of a ratio of medians and the
Mann-Whitney U test (scipy's when installed; otherwise numpy, normal approximation with tie correction)."""
from __future__ import annotations

import math

import numpy as np


def bootstrap_ratio(x: np.ndarray, y: np.ndarray, n: int = 2000, level: float = 0.90,
                    seed: int = 0) -> tuple[float, float, float]:
    """(median(x) / median(y), low, high): each side's seeds resampled with replacement ``n`` times."""
    rng = np.random.default_rng(seed)
    xs = np.median(rng.choice(x, (n, len(x))), axis=1)
    ys = np.median(rng.choice(y, (n, len(y))), axis=1)
    ratios = xs / ys
    tail = (1 - level) / 2 * 100
    return float(np.median(x) / np.median(y)), float(np.percentile(ratios, tail)), float(np.percentile(ratios, 100 - tail))


def mann_whitney_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value that x and y come from the same distribution."""
    try:
        from scipy.stats import mannwhitneyu
    except ImportError:
        return _mann_whitney_normal(np.asarray(x, float), np.asarray(y, float))
    return float(mannwhitneyu(x, y, alternative="two-sided").pvalue)


def _mann_whitney_normal(x: np.ndarray, y: np.ndarray) -> float:
    n1, n2 = len(x), len(y)
    values = np.concatenate([x, y])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ranks = np.array([ranks[inverse == i].mean() for i in range(len(uniq))])[inverse]  # ties share the mean rank
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - (counts ** 3 - counts).sum() / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma  # continuity correction
    return float(min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2))))
