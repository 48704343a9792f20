"""FQF's fraction proposal is trained by its own optimizer in ``learn_step``, apart from the quantile loss, so
the loss function's value tests cannot see the direction the policy steps in; this checks that direction."""
from __future__ import annotations

import torch
from test_policy_contract import compiled_policy

from ding_lite.rl_utils.dist_td import fqf_fraction_loss


def test_a_learn_step_moves_the_fraction_proposal_down_the_fraction_loss():
    policy = compiled_policy("fqf")
    policy.fraction_optimizer.lr = 1e-3  # the shipped 2.5e-9 moves the weights below float32's resolution
    gen = torch.Generator().manual_seed(0)
    n = 16
    batch = {"obs": torch.randn(n, 4, generator=gen), "action": torch.randint(0, 2, (n,), generator=gen),
             "bootstrap_obs": torch.randn(n, 4, generator=gen), "returns": torch.randn(n, generator=gen),
             "discount": torch.full((n,), 0.99)}
    proposal = list(policy.model.head.proposal.parameters())
    quantiles, taus, _, inner, _ = policy.model.fraction_quantiles(batch["obs"])
    rows = torch.arange(n)
    loss = fqf_fraction_loss(inner[rows, :, batch["action"]], quantiles[rows, :, batch["action"]], taus)
    downhill = torch.autograd.grad(loss, proposal)
    before = [p.detach().clone() for p in proposal]
    policy.learn_step(batch)
    step = sum(((p.detach() - b) * g).sum() for p, b, g in zip(proposal, before, downhill))
    assert step < 0, "the fraction proposal stepped up its loss's gradient"
