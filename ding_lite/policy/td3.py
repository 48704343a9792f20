"""TD3 (Fujimoto et al., 2018): DDPG plus twin critics, a delayed actor and target policy smoothing."""
from __future__ import annotations

from typing import ClassVar

from ding_lite.policy.ddpg import DDPGPolicy


class TD3Policy(DDPGPolicy):
    name = "td3"
    config: ClassVar[dict] = dict(
        type="td3",
        model=dict(twin_critic=True),
        learn=dict(actor_update_freq=2, noise=True),
    )
