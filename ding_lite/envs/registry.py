"""DI-engine env type names (from ``create_config``) mapped to gymnasium ids."""
from __future__ import annotations

import importlib

from ding_lite.config.errors import ConfigError

ENV_TYPES = {
    "cartpole": "CartPole-v0",
    "pendulum": "Pendulum-v1",
    "acrobot": "Acrobot-v1",
    "mountain_car": "MountainCar-v0",
    "lunarlander": "LunarLander-v3",
}
DEFAULT_ENV_ID = "CartPole-v0"
"""DI-engine's resume guide shows a config with no env section naming the env; it trains CartPole."""


def resolve_env_id(env_cfg: dict) -> str:
    """``env_id`` wins, then the DI-engine ``type``; a type we do not know may be registered by import_names."""
    if env_cfg.get("env_id") is not None:
        env_id = env_cfg["env_id"]
    elif env_cfg.get("type") is None:
        env_id = DEFAULT_ENV_ID
    elif env_cfg["type"] in ENV_TYPES:
        env_id = ENV_TYPES[env_cfg["type"]]
    else:
        _import_env_modules(env_cfg.get("import_names") or [])
        env_id = env_cfg["type"]
    _check_registered(env_id)
    return env_id


def _import_env_modules(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"config key 'env.import_names' names '{name}', which cannot be imported: {exc}.") from exc


def _check_registered(env_id: str) -> None:
    if not env_id:
        raise ConfigError("config key 'env.env_id' is missing: name a gymnasium environment such as 'CartPole-v0'.")
    import gymnasium

    if env_id not in gymnasium.envs.registry:
        raise ConfigError(
            f"config key 'env.env_id' names '{env_id}', which is not a registered gymnasium environment "
            f"(known env types: {', '.join(sorted(ENV_TYPES))})."
        )
