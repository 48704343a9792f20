"""Epsilon-greedy exploration over the collector's env steps, for any policy that explores that way.

A mixin: its ``config`` (key declarations) merges into the policy's along the class chain. It reads
``self.collect_envstep`` (a counter the policy registers) and ``self.warming_up`` (the off-policy base).
"""
from __future__ import annotations

from typing import ClassVar

from ding_lite.config.keys import Key
from ding_lite.config.rules import in_unit_interval, one_of, positive
from ding_lite.rl_utils.exploration import EPS_TYPES, get_epsilon_greedy_fn

DEMO_REFUSAL = ("be left out: it belongs to DI-engine's demonstration-data generation (collect_demo_data), which "
                "ding_lite does not have")


class EpsilonGreedy:
    config: ClassVar[dict] = dict(
        other=dict(
            eps=dict(
                type=Key("exp", "'exp': end + (start-end)*exp(-envstep/decay); 'linear': reaches end at decay",
                         one_of(*EPS_TYPES)),
                start=Key(0.95, "epsilon at envstep 0", in_unit_interval),
                end=Key(0.1, "final epsilon", in_unit_interval),
                decay=Key(10000, "env steps scale of the decay", positive),
                collect=Key(None, "DI-engine's epsilon for demonstration-data generation (collect_demo_data): not "
                            "in ding_lite", lambda v: None if v is None else DEMO_REFUSAL),
            ),
        ),
    )

    def init_epsilon(self, cfg: dict) -> None:
        eps = cfg["other"]["eps"]
        self.eps_fn = get_epsilon_greedy_fn(eps["start"], eps["end"], eps["decay"], eps["type"])

    def epsilon(self) -> float:
        """1 while warming up (uniform actions), then the schedule at the collector's env step."""
        return 1.0 if self.warming_up(self.collect_envstep) else self.eps_fn(self.collect_envstep)
