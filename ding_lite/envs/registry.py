"""Which env a config names: DI-engine env types and ids mapped to what gymnasium 1.x (or envpool) makes.

Resolution, before anything is built or written:

- ``env_id`` wins; else the DI-engine ``type`` through ``ENV_TYPES``; else CartPole (DI-engine's resume guide).
  ``type='atari'``/``'mujoco'`` name DI-engine's env classes, so they need ``env_id`` (the game or robot).
- ``import_names`` are imported first, so a user's module can register its ids with gymnasium. DI-engine's own
  env modules (``dizoo.*``, ``ding.*``) are skipped: ding_lite builds those envs itself.
- An unregistered ``type`` (or ``env_id``) that names a ``gymnasium.Env`` subclass in one of those modules is
  registered under that name (entry point ``module:Class``), so every manager builds it like any other id.
- Ids gymnasium 1.x no longer makes (``Hopper-v3``, ``LunarLander-v2``, ...) map to the current version, with
  a note saying how the task changed; the pipeline logs it once.
- Simulators are optional extras: a missing one is one sentence naming the ``pip install`` to run.
"""
from __future__ import annotations

import importlib
import inspect
import re
from types import ModuleType

from ding_lite.config.errors import ConfigError

ENV_TYPES = {
    "cartpole": "CartPole-v0",
    "pendulum": "Pendulum-v1",
    "acrobot": "Acrobot-v1",
    "mountain_car": "MountainCar-v0",
    "lunarlander": "LunarLander-v3",
    "bipedalwalker": "BipedalWalker-v3",
    "pong": "PongNoFrameskip-v4",
    "breakout": "BreakoutNoFrameskip-v4",
    "qbert": "QbertNoFrameskip-v4",
    "spaceinvaders": "SpaceInvadersNoFrameskip-v4",
    "enduro": "EnduroNoFrameskip-v4",
    "hopper": "Hopper-v5",
    "halfcheetah": "HalfCheetah-v5",
    "walker2d": "Walker2d-v5",
    "ant": "Ant-v5",
    "taxi": "Taxi-v4",
    "frozen_lake": "FrozenLake-v1",
    "bitflip": "ding_lite/BitFlip-v0",
}
NEEDS_ENV_ID = ("atari", "mujoco")
"""DI-engine types that name an env class, not a task: the config's ``env_id`` says which game or robot."""
DEFAULT_ENV_ID = "CartPole-v0"
"""DI-engine's resume guide shows a config with no env section naming the env; it trains CartPole."""

_HEALTHY = "v5 pays the healthy reward only on healthy steps"
_LANDER = ("v3 redraws wind and turbulence at every reset, fixes a non-determinism bug and widens the observation "
           "bounds")
_ANT = ("it runs as gymnasium's Ant-v4 with use_contact_forces=True, which keeps v3's 111 observation values (27 "
        "positions and velocities, 84 clipped contact forces) and its contact cost, on the mujoco bindings")
_TAXI = "the same map and rewards; v4 fixes only the optional is_rainy and fickle_passenger dynamics (both off by default)"
RENAMED = {
    "Hopper-v3": ("Hopper-v5", _HEALTHY),
    "Walker2d-v3": ("Walker2d-v5", f"{_HEALTHY}, and both feet have friction 1.9 (v3: the right foot 0.9)"),
    "HalfCheetah-v3": ("HalfCheetah-v5", "same dynamics and rewards, built on the mujoco bindings"),
    "Ant-v3": ("ding_lite/AntContactForces-v4", _ANT),
    "Humanoid-v3": ("Humanoid-v5", f"{_HEALTHY}, and its observation has 348 values, not 376 (no world-body entries)"),
    "LunarLander-v2": ("LunarLander-v3", _LANDER),
    "CarRacing-v2": ("CarRacing-v3", "finishing the lap now terminates the episode instead of truncating it"),
    "Taxi-v3": ("Taxi-v4", _TAXI),
    "LunarLanderContinuous-v2": ("LunarLanderContinuous-v3", _LANDER),
}
"""DI-engine's ids that gymnasium 1.x no longer makes -> (the id trained instead, how the task changed)."""

EXTRAS = {"ale_py": "atari", "cv2": "atari", "mujoco": "mujoco", "Box2D": "box2d", "envpool": "envpool"}
"""Optional module -> the ding_lite extra that installs it."""
SIMULATORS = {"ale_py.": ("ale_py", "cv2"), "gymnasium.envs.mujoco": ("mujoco",),
              "gymnasium.envs.box2d": ("Box2D",)}
"""Entry-point prefix -> the modules its envs (and their preprocessing) need."""
_ATARI_ID = re.compile(r"NoFrameskip|Deterministic|^ALE/|-ram")
ENVPOOL_MANAGER = "env_pool"


VARIANTS = {"ding_lite/AntContactForces-v4": ("Ant-v4", {"use_contact_forces": True})}
OWN_ENVS = {"ding_lite/BitFlip-v0": "ding_lite.envs.toy_text:BitFlipEnv"}
"""DI-engine's own envs that ding_lite implements (id -> entry point)."""
"""Ids ding_lite registers with gymnasium for a DI-engine id no gymnasium id matches: id -> (base id, kwargs)."""


def register_variants() -> None:
    """Register ``VARIANTS`` (idempotent): every process that builds envs (env workers too) calls it on import."""
    import gymnasium

    for new_id, entry in OWN_ENVS.items():
        if new_id not in gymnasium.envs.registry:
            gymnasium.register(new_id, entry_point=entry)
    for new_id, (base, kwargs) in VARIANTS.items():
        if new_id not in gymnasium.envs.registry and base in gymnasium.envs.registry:
            spec = gymnasium.spec(base)
            gymnasium.register(new_id, entry_point=spec.entry_point, max_episode_steps=spec.max_episode_steps,
                               reward_threshold=spec.reward_threshold, kwargs={**spec.kwargs, **kwargs})


def require(module: str, what: str) -> ModuleType:
    """Import an optional simulator; when it is missing, one sentence naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"{what} needs the '{module}' package, which is not installed: "
                          f"pip install 'ding_lite[{EXTRAS[module]}]'.") from exc


def resolve_env(env_cfg: dict) -> tuple[str, str | None]:
    """The id every manager will build, and a note to log when it is not the id the config gave."""
    for role in ("collector", "evaluator"):
        batch, num = env_cfg.get(f"{role}_batch_size"), env_cfg.get(f"{role}_env_num")
        if batch is not None and batch != num:
            raise ConfigError(f"config key 'env.{role}_batch_size' is {batch}, but ding_lite steps all {num} "
                              f"{role} envs together: set it to {num} or leave it out.")
    user_modules = _import_env_modules(env_cfg.get("import_names") or [])
    env_type = env_cfg.get("type")
    if env_cfg.get("env_id") == "":
        raise ConfigError("config key 'env.env_id' is missing: it is empty; give a gymnasium id such as 'CartPole-v0'.")
    if env_cfg.get("env_id"):
        env_id = env_cfg["env_id"]
    elif env_type in NEEDS_ENV_ID:
        raise ConfigError(f"config key 'env.env_id' is missing: env type '{env_type}' needs the task's id, "
                          "e.g. 'PongNoFrameskip-v4' or 'Hopper-v3'.")
    elif env_type is None:
        env_id = DEFAULT_ENV_ID
    else:
        env_id = ENV_TYPES.get(env_type, env_type)
    if env_cfg.get("manager", {}).get("type") == ENVPOOL_MANAGER:
        return _envpool_task(env_id)
    return _gymnasium_id(env_id, env_type, user_modules)


def _import_env_modules(names: list[str]) -> list[ModuleType]:
    modules = []
    for name in names:
        if name.split(".")[0] in ("dizoo", "ding"):
            continue
        try:
            modules.append(importlib.import_module(name))
        except ImportError as exc:
            raise ConfigError(f"config key 'env.import_names' names '{name}', which cannot be imported: {exc}.") from exc
    return modules


def _gymnasium_id(env_id: str, env_type: str | None, user_modules: list[ModuleType]) -> tuple[str, str | None]:
    import gymnasium

    registry = gymnasium.envs.registry
    if env_id not in registry and (env_type == "atari" or _ATARI_ID.search(env_id)):
        gymnasium.register_envs(require("ale_py", f"the Atari env '{env_id}'"))
    note = None
    game = re.fullmatch(r"(\w+)-v5", env_id)
    if env_id not in registry and game and f"{game[1]}NoFrameskip-v4" in registry:
        note = f"envpool's task '{env_id}' runs as '{game[1]}NoFrameskip-v4' with the same preprocessing."
        env_id = f"{game[1]}NoFrameskip-v4"
    register_variants()
    if env_id in RENAMED:
        new_id, change = RENAMED[env_id]
        note = (f"env '{env_id}' is not made by gymnasium 1.x: training '{new_id}' instead, "
                f"and the task changed: {change}.")
        env_id = new_id
    if env_id not in registry:
        _register_user_class(env_id, user_modules)
    if not env_id:
        raise ConfigError("config key 'env.env_id' is missing: name a gymnasium environment such as 'CartPole-v0'.")
    if env_id not in registry:
        raise ConfigError(
            f"config key 'env.env_id' names '{env_id}', which is not a registered gymnasium environment "
            f"(known env types: {', '.join(sorted(ENV_TYPES))})."
        )
    ensure_simulator(env_id)
    return env_id, note


def _register_user_class(name: str, modules: list[ModuleType]) -> None:
    """A ``gymnasium.Env`` subclass called ``name`` in the user's modules becomes a registered id."""
    import gymnasium

    for module in modules:
        cls = getattr(module, name, None)
        if inspect.isclass(cls) and issubclass(cls, gymnasium.Env):
            gymnasium.register(name, entry_point=f"{cls.__module__}:{cls.__qualname__}")
            return


def ensure_simulator(env_id: str) -> None:
    """Import the optional modules the env's entry point needs, or name the extra that installs them."""
    import gymnasium

    entry = gymnasium.spec(env_id).entry_point
    if not isinstance(entry, str):
        return
    for prefix, modules in SIMULATORS.items():
        if entry.startswith(prefix):
            for module in modules:
                require(module, f"the env '{env_id}'")


def is_atari(env_id: str) -> bool:
    """Whether gymnasium builds ``env_id`` with ale-py's AtariEnv (then DI-engine's Atari preset applies)."""
    import gymnasium

    entry = gymnasium.spec(env_id).entry_point
    return isinstance(entry, str) and entry.startswith("ale_py.")


def _envpool_task(env_id: str) -> tuple[str, str | None]:
    """envpool names its tasks itself: ``PongNoFrameskip-v4`` is its ``Pong-v5`` (it skips frames inside)."""
    envpool = require("envpool", "config key 'env.manager.type' = 'env_pool'")
    task = re.sub(r"^(ALE/)?(\w+?)NoFrameskip-v4$", r"\2-v5", env_id)
    tasks = envpool.list_all_envs()
    if task not in tasks:
        raise ConfigError(f"config key 'env.env_id' names '{env_id}', which envpool does not make "
                          f"(e.g. {', '.join(t for t in ('Pong-v5', 'Hopper-v5', 'LunarLander-v3') if t in tasks)}).")
    note = None if task == env_id else f"env '{env_id}' runs as envpool's task '{task}'."
    return task, note
