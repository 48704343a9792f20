"""Which backend runs: the one constructor the pipeline calls, and the 'auto' rule.

``auto`` (and DI-engine's ``base``, the in-process manager) picks the fastest manager that is exact under
checkpoint/resume for the env at hand, i.e. ``vector`` when it is available, its state can be captured
and there are at least ``VECTOR_MIN_ENVS`` envs, else ``sync``. (One CartPoleVectorEnv step costs
~60 us whatever the number of envs, a sync step ~15-20 us per env: measured 1 env 26 vs 73 us,
2 envs 40 vs 81, 4 envs 66 vs 62, 8 envs 143 vs 72, 16 envs 219 vs 60.)
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ding_lite.config.errors import ConfigError
from ding_lite.envs.managers.base import MANAGER_TYPES, BackendUnavailable, EnvManager

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions

BACKENDS = {
    "vector": "ding_lite.envs.managers.gym_vector:VectorManager",
    "sync": "ding_lite.envs.managers.gym_vector:SyncManager",
    "async": "ding_lite.envs.managers.processes:SubprocessManager",
    "subprocess": "ding_lite.envs.managers.processes:SubprocessManager",
    "async_subprocess": "ding_lite.envs.managers.processes:SubprocessManager",
    "ray": "ding_lite.envs.managers.ray:RayManager",
    "env_pool": "ding_lite.envs.managers.envpool:EnvPoolManager",
}
"""``env.manager.type`` -> "module:Class", imported when used (the config compile imports no simulator)."""
AUTO_TYPES = ("auto", "base")
VECTOR_MIN_ENVS = 3
"""Below this many envs, stepping them one by one (sync) is faster than the numpy-vectorised env."""


def backend(name: str) -> type[EnvManager]:
    """The manager class registered for ``env.manager.type`` ``name``."""
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def make_manager(env_id: str, env_num: int, seed: int, manager_type: str = "auto",
                 max_episode_steps: int | None = None, options: dict | None = None, *,
                 env_options: EnvOptions | None = None) -> EnvManager:
    """``env_num`` envs of ``env_id`` behind the backend ``manager_type`` names ('auto' decides here).

    ``options`` is the ``env.manager`` config: its sub-dict named like the backend (``env.manager.ray``)
    holds that backend's own keyword arguments to ``build``. ``env_options`` (``make.env_options``) say what
    the env section asks beyond ``gym.make`` (Atari preset, frame stack, collector or evaluator flavour).
    """
    from ding_lite.envs.make import silence_env_warnings

    silence_env_warnings()
    if manager_type in AUTO_TYPES:
        return _auto(env_id, env_num, seed, manager_type, max_episode_steps, env_options)
    if manager_type not in BACKENDS:
        raise ConfigError(f"config key 'env.manager.type' must be one of {', '.join(MANAGER_TYPES)}, "
                          f"got {manager_type!r}.")
    try:
        return backend(manager_type).build(env_id, env_num, seed, max_episode_steps, env_options=env_options,
                                           **(options or {}).get(manager_type, {}))
    except BackendUnavailable as exc:
        raise ConfigError(f"config key 'env.manager.type' is {manager_type!r}, but {exc}; "
                          "use 'auto' or 'sync'.") from exc


def _auto(env_id: str, env_num: int, seed: int, manager_type: str, max_episode_steps: int | None,
          env_options: EnvOptions | None) -> EnvManager:
    if env_num < VECTOR_MIN_ENVS:
        reason = f"{env_num} env(s) step faster one by one than vectorised"
    else:
        try:
            manager = backend("vector").build(env_id, env_num, seed, max_episode_steps, require_capture=True,
                                              env_options=env_options)
        except BackendUnavailable as exc:
            reason = str(exc)
        else:
            manager.choice = f"vector ({manager_type}: numpy-vectorised, exact)"
            return manager
    manager = backend("sync").build(env_id, env_num, seed, max_episode_steps, env_options=env_options)
    manager.choice = f"sync ({manager_type}: {reason})"
    return manager
