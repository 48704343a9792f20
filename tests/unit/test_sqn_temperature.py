"""SQN's temperature by value: one update moves alpha towards the target entropy (a sign error in the alpha loss
reverses it; the CartPole learning test still solves with it, so only this test sees it)."""
from __future__ import annotations

import math

import torch

from tests.unit.test_policy_contract import compiled_policy


def test_one_update_moves_alpha_towards_the_target_entropy():
    g = torch.Generator().manual_seed(0)
    for _ in range(3):
        sqn = compiled_policy("sqn")
        n = 32
        batch = {"obs": torch.randn(n, 4, generator=g), "action": torch.randint(2, (n,), generator=g),
                 "returns": torch.randn(n, generator=g), "discount": torch.full((n,), 0.99),
                 "bootstrap_obs": torch.randn(n, 4, generator=g)}
        before = math.exp(sqn.temperature.value.item())
        info = sqn.learn_step(batch)
        gap = info["entropy"] - sqn.cfg["learn"]["target_entropy"]  # above the target: alpha must fall
        assert gap != 0 and (info["alpha"] - before) * gap < 0, (info, before)
