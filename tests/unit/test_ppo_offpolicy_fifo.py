"""Off-policy PPO's FIFO with DI-engine's max_use: a transition drawn max_use times is drawn no more."""
from __future__ import annotations

import torch

from ding_lite.policy.ppo_offpolicy import RolloutFIFO


def test_max_use_retires_transitions_and_ends_the_collect_when_fewer_than_a_batch_remain():
    fifo = RolloutFIFO(4, torch.device("cpu"), max_use=2)
    fifo.push({"obs": torch.arange(4.0).unsqueeze(1)})
    gen = torch.Generator().manual_seed(0)
    drawn = [fifo.sample(2, gen)["obs"].flatten().tolist() for _ in range(4)]
    counts = {x: sum(row.count(x) for row in drawn) for x in range(4)}
    assert counts == {0.0: 2, 1.0: 2, 2.0: 2, 3.0: 2}  # 4 transitions x 2 uses = exactly 4 batches of 2
    assert all(len(set(row)) == 2 for row in drawn)  # without replacement within a batch
    assert fifo.sample(2, gen) is None
    fifo.push({"obs": torch.tensor([[9.0]])})  # a new transition overwrites the oldest slot, undrawn
    assert fifo.sample(2, gen) is None and fifo.sample(1, gen)["obs"].item() == 9.0


def test_max_use_counts_round_trip_and_an_unset_max_use_draws_forever():
    fifo = RolloutFIFO(4, torch.device("cpu"), max_use=1)
    fifo.push({"obs": torch.arange(3.0).unsqueeze(1)})
    fifo.sample(2, torch.Generator().manual_seed(1))
    copy = RolloutFIFO(4, torch.device("cpu"), max_use=1)
    copy.load_state_dict(fifo.state_dict())
    assert torch.equal(copy.uses, fifo.uses) and copy.uses.sum().item() == 2
    plain = RolloutFIFO(4, torch.device("cpu"))
    plain.push({"obs": torch.arange(3.0).unsqueeze(1)})
    gen = torch.Generator().manual_seed(2)
    assert all(plain.sample(3, gen) is not None for _ in range(10)) and plain.uses is None
