"""Policies by name (``policy.type``), imported only when chosen so start-up stays light."""
from __future__ import annotations

import importlib

from ding_lite.config.errors import ConfigError

POLICIES = {
    "ppo": "ding_lite.policy.ppo:PPOPolicy",
    "dqn": "ding_lite.policy.dqn:DQNPolicy",
    "pg": "ding_lite.policy.pg:PGPolicy",
    "ddpg": "ding_lite.policy.ddpg:DDPGPolicy",
    "td3": "ding_lite.policy.td3:TD3Policy",
    "sac": "ding_lite.policy.sac:SACPolicy",
    "discrete_sac": "ding_lite.policy.discrete_sac:DiscreteSACPolicy",
    "a2c": "ding_lite.policy.a2c:A2CPolicy",
    "trpo": "ding_lite.policy.trpo:TRPOPolicy",
    "ppo_offpolicy": "ding_lite.policy.ppo_offpolicy:PPOOffPolicy",
    "ppg_offpolicy": "ding_lite.policy.ppg:PPGOffPolicy",
    "c51": "ding_lite.policy.c51:C51Policy",
    "qrdqn": "ding_lite.policy.qrdqn:QRDQNPolicy",
    "iqn": "ding_lite.policy.iqn:IQNPolicy",
    "rainbow": "ding_lite.policy.rainbow:RainbowPolicy",
    "sql": "ding_lite.policy.sql:SQLPolicy",
    "mdqn": "ding_lite.policy.mdqn:MDQNPolicy",
    "fqf": "ding_lite.policy.fqf:FQFPolicy",
    "d4pg": "ding_lite.policy.d4pg:D4PGPolicy",
    "bdq": "ding_lite.policy.bdq:BDQPolicy",
    "dqn_stdim": "ding_lite.policy.dqn_stdim:DQNSTDIMPolicy",
    "ppo_stdim": "ding_lite.policy.ppo_stdim:PPOSTDIMPolicy",
    "ppo_pg": "ding_lite.policy.ppo_pg:PPOPGPolicy",
    "sqn": "ding_lite.policy.sqn:SQNPolicy",
}


ALIASES = {"sac_discrete": "discrete_sac"}
"""Other names DI-engine 0.5.3 registers for the same policy (its LunarLander discrete SAC file says 'sac_discrete')."""


def get_policy_class(name: str) -> type:
    name = ALIASES.get(name, name)
    if name not in POLICIES:
        known = ", ".join(sorted(POLICIES))
        raise ConfigError(f"config key 'policy.type' names '{name}', which is not a known policy ({known}).")
    module, cls = POLICIES[name].split(":")
    return getattr(importlib.import_module(module), cls)
