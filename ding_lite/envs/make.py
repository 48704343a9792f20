"""The one env factory: every manager's env fns and ``serial_eval``'s play build envs here.

A training env, an evaluation env and the env a user watches must be the same env: same gymnasium id,
same time limit, same wrappers, in the same order (the env-state capture compares the wrapper chain).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import gymnasium as gym

from ding_lite.envs.toy_text import LAKE_KEYS

Wrapper = Callable[[gym.Env], gym.Env]


def _register_variants() -> None:
    from ding_lite.envs.registry import register_variants

    register_variants()


_register_variants()  # env worker processes unpickle make_env from here: DI-engine's variant ids exist there too


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


@dataclass(frozen=True)
class EnvOptions:
    """What the env config asks beyond ``gym.make``; the default asks nothing, so the env is exactly ``gym.make``'s.

    Picklable: a 'spawn' start sends it to the env worker processes inside ``env_fn``.
    """

    frame_stack: int | None = None
    """Frames stacked channel-first. Atari: DI-engine's default 4 when None, 0 for none; other envs: None or 0
    for none."""
    train: bool = True
    """Collector envs train; evaluator envs (False) skip Atari's episodic life and reward clipping, so they play
    whole games and report the real score."""
    act_scale: bool = False
    """DI-engine's ``env.act_scale``: the policy acts in [-1, 1], the env gets actions scaled to its bounds."""
    continuous: bool | None = None
    """DI-engine's ``env.continuous``: False gives Pendulum DI-engine's 11 discrete actions (None: the env's own)."""
    action_bins: int | None = None
    """DI-engine's ``env.action_bins_per_branch`` (BDQ): each action dimension takes this many bins in [-1, 1]."""
    lake: tuple = ()
    """DI-engine's FrozenLake keys that were set, as ``(key, value)`` pairs for ``gym.make`` (desc, map_name, ...)."""
    n_bits: int | None = None
    """DI-engine's BitFlip ``env.n_bits``."""
    rew_clip: bool = False
    """DI-engine's BipedalWalker ``env.rew_clip``: training rewards below -10 become -10 (evaluator envs: never)."""
    render_mode: str | None = None
    """'rgb_array' for evaluator envs that record videos (``env.replay_path``); rendering draws no random number."""

    def wraps(self, env_id: str) -> bool:
        """Whether these options add wrappers to ``env_id``'s envs (the numpy-vectorised backend cannot)."""
        from ding_lite.envs.registry import is_atari

        return (is_atari(env_id) or bool(self.frame_stack) or bool(self.lake) or self.n_bits is not None or self.act_scale or self.continuous is not None
                or bool(self.action_bins) or self.rew_clip)

    def make_kwargs(self, env_id: str) -> dict[str, Any]:
        """Keywords for ``gym.make``: CarRacing takes DI-engine's ``continuous=False`` itself (5 discrete actions)."""
        name = env_id.split("/")[-1]
        if self.continuous is False and name.startswith("CarRacing"):
            return {"continuous": False}
        if self.lake or self.n_bits is not None:
            wanted, key = ("FrozenLake", self.lake[0][0]) if self.lake else ("BitFlip", "n_bits")
            if not name.startswith(wanted):
                from ding_lite.config.errors import ConfigError

                raise ConfigError(f"config key 'env.{key}' is DI-engine's {wanted} key, but the env is {env_id} "
                                  "(leave the key out).")
            return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.lake} or {"n_bits": self.n_bits}
        return {}

    def wrap(self, env: gym.Env) -> gym.Env:
        from ding_lite.envs.action_scale import clip_rewards, wrap_actions

        env = wrap_actions(self._wrap_obs(env), self.act_scale, self.continuous, self.action_bins)
        return clip_rewards(env) if self.rew_clip and self.train else env

    def _wrap_obs(self, env: gym.Env) -> gym.Env:
        from ding_lite.envs.registry import is_atari

        if env.spec is not None and is_atari(env.spec.id):
            from ding_lite.envs.wrappers import atari_preset

            return atari_preset(env, 4 if self.frame_stack is None else self.frame_stack, self.train)
        from ding_lite.envs.toy_text import encode_states

        env = encode_states(env)  # Taxi's 34 values, FrozenLake's one-hot (DI-engine's env classes)
        if env.spec is not None and env.spec.name == "CarRacing":
            from ding_lite.envs.wrappers import ChannelFirst

            env = ChannelFirst(env)  # DI-engine's CarRacing env: [3, 96, 96] frames (uint8 here, scaled by the model)
        if self.frame_stack:
            from ding_lite.envs.wrappers import FrameStack

            return FrameStack(env, self.frame_stack)
        return env


def env_options(env_cfg: dict, evaluator: bool, render: bool = False) -> EnvOptions:
    """The options of the collector's (``evaluator`` False) or the evaluator's envs, from the ``env`` section
    (a config saved before ``frame_stack`` existed has none); ``render``: envs that can draw their frames."""
    return EnvOptions(frame_stack=env_cfg.get("frame_stack"), train=not evaluator,
                      act_scale=bool(env_cfg.get("act_scale")), continuous=env_cfg.get("continuous"),
                      action_bins=env_cfg.get("action_bins_per_branch"), rew_clip=bool(env_cfg.get("rew_clip")),
                      lake=tuple((k, tuple(v) if isinstance(v, list) else v) for k in LAKE_KEYS
                                 if (v := env_cfg.get(k)) is not None),
                      n_bits=env_cfg.get("n_bits"),
                      render_mode="rgb_array" if render else None)


def make_env(env_id: str, max_episode_steps: int | None = None, wrappers: Sequence[Wrapper] = (),
             options: EnvOptions | None = None, **kwargs: Any) -> gym.Env:
    """``gym.make`` with the time limit, then the ``options``' wrappers (the Atari preset, a frame stack), then
    ``wrappers`` innermost first (as ``gym.make_vec`` applies them).

    ``kwargs`` go to the env itself (e.g. ``render_mode``). For Atari the time limit counts emulator frames, as
    the env's own limit does (4 per agent step).
    """
    if options is not None:
        kwargs = {**options.make_kwargs(env_id), **kwargs}
        if options.render_mode:
            kwargs = {"render_mode": options.render_mode, **kwargs}
    env = gym.make(env_id, **limit_kwargs(max_episode_steps), **kwargs)
    if options is not None:
        env = options.wrap(env)
    for wrapper in wrappers:
        env = wrapper(env)
    return env


def env_fn(env_id: str, max_episode_steps: int | None = None,
           options: EnvOptions | None = None) -> Callable[[], gym.Env]:
    """A picklable zero-argument builder for vector envs (a 'spawn' start sends it to the env workers)."""
    return partial(make_env, env_id, max_episode_steps, (), options)
