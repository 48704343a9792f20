"""The one env factory: every manager's env fns and ``serial_eval``'s play build envs here.

A training env, an evaluation env and the env a user watches must be the same env: same gymnasium id,
same time limit, same wrappers, in the same order (the env-state capture compares the wrapper chain).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import gymnasium as gym

Wrapper = Callable[[gym.Env], gym.Env]


def silence_env_warnings() -> None:
    """gymnasium warns about CartPole-v0 being old; users chose it on purpose (it is DI-engine's benchmark).

    gymnasium.logger installs its own 'once' filter when first imported; import it first so ours go in front.
    """
    import gymnasium.logger  # noqa: F401

    warnings.filterwarnings("ignore", message=".*is out of date.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="gymnasium")


def limit_kwargs(max_episode_steps: int | None) -> dict[str, Any]:
    """``gym.make``/``gym.make_vec`` keywords for the time limit: none keeps the env's own limit."""
    return {} if max_episode_steps is None else {"max_episode_steps": max_episode_steps}


def make_env(env_id: str, max_episode_steps: int | None = None, wrappers: Sequence[Wrapper] = (),
             **kwargs: Any) -> gym.Env:
    """``gym.make`` with the time limit, then ``wrappers`` innermost first (as ``gym.make_vec`` applies them).

    ``kwargs`` go to the env itself (e.g. ``render_mode``).
    """
    env = gym.make(env_id, **limit_kwargs(max_episode_steps), **kwargs)
    for wrapper in wrappers:
        env = wrapper(env)
    return env


def env_fn(env_id: str, max_episode_steps: int | None = None) -> Callable[[], gym.Env]:
    """A picklable zero-argument builder for vector envs (``AsyncVectorEnv`` sends it to its workers)."""
    return partial(make_env, env_id, max_episode_steps)
