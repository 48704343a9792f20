"""Rainbow (Hessel et al., 2018) as DI-engine configures it: C51 with a dueling head of noisy layers,
n-step returns and prioritized replay with importance-sampling weights."""
from __future__ import annotations

from typing import ClassVar

from ding_lite.config.keys import IGNORED, Key
from ding_lite.policy.c51 import C51Policy


class RainbowPolicy(C51Policy):
    name = "rainbow"
    noisy = True
    head = "rainbow"
    config: ClassVar[dict] = dict(
        type="rainbow",
        priority=True,
        priority_IS_weight=True,
        nstep=3,
        discount_factor=0.99,
        model=dict(dueling=True),  # value and advantage streams over the distribution
        learn=dict(update_per_collect=1, batch_size=32,
                   iqn=Key(None, "a key of DI-engine's Atari Rainbow files that its Rainbow policy never reads",
                           di=IGNORED)),
        other=dict(eps=dict(start=0.05, end=0.05, decay=100000), replay_buffer=dict(replay_buffer_size=100000)),
    )

