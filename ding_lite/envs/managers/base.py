"""The protocol every env manager keeps, so workers and the pipeline never ask which backend runs.

Workers see *same-step* autoreset: when env i ends an episode, ``step`` returns the true last
observation in ``final_obs[i]`` and the first observation of the next episode in ``obs[i]``. No
transition ever spans an episode boundary and no final reward is lost, whatever the backend.
A new backend is a new module with a subclass of :class:`EnvManager`, named in ``select.BACKENDS``.
"""
from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ding_lite.config.keys import IGNORED, LITE, SHAPES, SILENT, Key
from ding_lite.config.rules import all_of, non_negative, of_type, one_of, positive

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions

MANAGER_TYPES = ("auto", "vector", "sync", "base", "async", "subprocess", "async_subprocess", "ray",
                 "env_pool")


def _no_env_norm(value: object) -> str | None:
    return None if not value else ("be False: ding_lite has no running normalisation inside the env "
                                   "(DI-engine's ObsNorm/RewardNorm wrappers)")


KEYS = dict(
    type=Key(None, "DI-engine env type from create_config (e.g. 'cartpole'), mapped to a gymnasium id",
             resume=SHAPES),
    import_names=Key([], "modules imported so an unknown env type can register itself with gymnasium"),
    env_id=Key(None, "gymnasium id; wins over `type`; CartPole-v0 when neither is given", resume=SHAPES),
    collector_env_num=Key(8, "envs stepped together by the collector", positive, resume=SHAPES),
    evaluator_env_num=Key(5, "separate envs used only for evaluation", positive, resume=SHAPES),
    n_evaluator_episode=Key(5, "episodes per evaluation, spread over the evaluator envs", positive, resume=SILENT),
    stop_value=Key(None, "stop when the mean eval return reaches this (None: never)", of_type(int, float),
                   resume=SILENT),
    max_episode_steps=Key(None, "override the env's own time limit (Atari: emulator frames, 4 per agent step)",
                          of_type(int)),
    act_scale=Key(False, "the policy acts in [-1, 1], the env gets actions scaled to its bounds"),
    continuous=Key(None, "False gives Pendulum 11 discrete actions (None: the env's own action space)",
                   of_type(bool)),
    action_bins_per_branch=Key(None, "(BDQ) each continuous action dimension becomes this many bins",
                               lambda v: None if v is None or (isinstance(v, int) and v >= 2) else
                               "be None or an int >= 2"),
    desc=Key(None, "DI-engine's FrozenLake map rows, e.g. ['SFFF', 'FHFH', 'FFFH', 'HFFG'] (None: map_name's)"),
    map_name=Key(None, "DI-engine's FrozenLake map: '4x4' or '8x8' (None: gymnasium's default)"),
    is_slippery=Key(None, "DI-engine's FrozenLake: moves slip sideways (None: gymnasium's default, True)"),
    save_replay_gif=Key(False, "DI-engine's FrozenLake gif of each episode: not here (env.replay_path records mp4s)",
                        lambda v: None if not v else
                        "be False: ding_lite records evaluation episodes as mp4 files with env.replay_path instead"),
    n_bits=Key(None, "DI-engine's BitFlip: bits of the state and of the goal",
               lambda v: None if v is None or (isinstance(v, int) and v >= 1) else "be a positive int"),
    rew_clip=Key(False, "DI-engine's BipedalWalker key: training rewards below -10 count as -10 (eval returns not)"),
    env_wrapper=Key("default", "DI-engine's DingEnvWrapper preset: 'default'/'mujoco_default' add nothing here, "
                    "'atari_default' is the Atari preset ding_lite applies to every Atari id anyway",
                    one_of("default", "mujoco_default", "atari_default")),
    exp_name=Key(None, "a stale copy of the top-level exp_name", di=IGNORED),
    replay_path=Key(None, "record every evaluation's episodes as mp4 files in this dir (pip install -e \".[video]\")"),
    frame_stack=Key(None, "observations stacked channel-first (Atari: None means DI-engine's 4; 0 none)",
                    all_of(of_type(int), non_negative)),
    norm_obs=dict(use_norm=Key(False, "DI-engine's running obs normalisation in the env: not in ding_lite",
                               _no_env_norm)),
    norm_reward=dict(use_norm=Key(False, "DI-engine's running reward normalisation in the env: not in ding_lite",
                                  _no_env_norm)),
    collector_batch_size=Key(None, "envpool's batch: ding_lite steps every env each step (None or the env num)",
                             all_of(of_type(int), positive)),
    evaluator_batch_size=Key(None, "envpool's batch for the evaluator envs (None or the env num)",
                             all_of(of_type(int), positive)),
    manager=dict(
        type=Key("auto", "auto/base (fastest exact in-process), vector (numpy-vectorised), sync, async/subprocess, "
                 "ray, env_pool (envpool's C++ threads; no exact resume)", one_of(*MANAGER_TYPES)),
        shared_memory=Key(False, "DI-engine's transport for subprocess observations (the same results either way)",
                          note="ding_lite's subprocess manager sends observations through pipes (the same results)"),
        reset_inplace=Key(False, "DI-engine's in-step reset (the same results either way)",
                          note="ding_lite's same-step autoreset always resets inside the step (the same results)"),
        ray=dict(  # type='ray': the envs split over Ray actors (pip install -e ".[ray]")
            num_actors=Key(2, "Ray actors per env manager (collector and evaluator each); at most one per env",
                           positive, di=LITE),
            num_cpus=Key(None, "CPUs each Ray actor reserves for its lifetime (fractions share a core); None: sized from "
                         "the cluster's free CPUs so that a run's collector and evaluator actors both start (at most 1 "
                         "each)", all_of(of_type(int, float), non_negative), di=LITE),
            num_gpus=Key(0.0, "GPUs each Ray actor reserves", non_negative, di=LITE),
            resources=Key(None, "custom Ray resources each actor needs, e.g. {'sim_node': 1}", of_type(dict),
                          di=LITE),
            on_actor_failure=Key("fail", "fail: stop with one sentence (resume exactly); restart: go on, not exact",
                                 one_of("fail", "restart"), di=LITE),
        ),
    ),
)
"""The ``env`` config section (DI-engine key names): the pipeline mounts it, the config compile checks it."""


@dataclass
class StepResult:
    obs: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    final_obs: np.ndarray
    """The real last observation where an episode ended, else the same as ``obs``."""


class EnvFailure(RuntimeError):
    """The envs themselves failed (a lost worker): raised as it is through hooks, so callers can retry on it."""


class BackendUnavailable(Exception):
    """This backend cannot run this env (the message says why): 'auto' falls back, an explicit type is an error."""


class EnvManager(ABC):
    """``num_envs`` envs stepped together in same-step autoreset mode, plus capture of their state.

    ``kind`` is the backend ('vector', 'sync', 'async', ...); ``choice`` says why it runs, for the log.
    """

    kind: str
    choice: str
    env_id: str
    num_envs: int
    seed: int
    observation_space: Any
    action_space: Any

    def say(self, message: str) -> None:
        """What the run should know mid-run (an env worker restarted); the pipeline points this at train.log."""
        warnings.warn(message, stacklevel=2)

    def render(self) -> Sequence[np.ndarray]:
        """Each env's current frame; only for envs built with ``EnvOptions.render_mode='rgb_array'``."""
        raise NotImplementedError(f"the '{self.kind}' env manager cannot render its envs")

    @classmethod
    @abstractmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: EnvOptions | None = None) -> EnvManager:
        """Open ``num_envs`` envs (with ``env_options``: Atari preset, frame stack, collector or evaluator flavour);
        BackendUnavailable when this backend cannot run ``env_id``.

        ``require_capture`` ('auto' asks) also refuses when the envs' state could not be captured for
        checkpoints, so that 'auto' falls back to 'sync', the last resort, which runs every env.
        """

    @abstractmethod
    def reset(self, seed_offset: int = 0) -> np.ndarray:
        """Seeded from ``seed + seed_offset``, so runs are reproducible and envs differ."""

    @abstractmethod
    def reset_unseeded(self) -> np.ndarray:
        """Next episodes drawn from each env's own generator (continues its RNG stream)."""

    @abstractmethod
    def step(self, actions: np.ndarray) -> StepResult:
        """One step of every env; an ended env is already reset (see the module docstring)."""

    @abstractmethod
    def can_capture(self) -> bool:
        """Whether ``state_dict`` returns the envs' state (exact resume) rather than None."""

    @abstractmethod
    def state_dict(self) -> dict | None:
        """Every env's internal state as checkpoint data, or None when the backend cannot expose it."""

    @abstractmethod
    def can_restore(self, state: dict | None) -> bool:
        """Whether ``state`` (from ``state_dict``) was captured from this kind of backend and can be loaded."""

    @abstractmethod
    def load_state_dict(self, state: dict) -> None:
        """Put a ``state_dict`` result back; ValueError when it comes from another kind of backend."""

    @abstractmethod
    def close(self) -> None:
        """Release the envs (and their processes)."""


class Uncapturable:
    """For backends whose envs live where their state cannot be read (other processes, C++ threads).

    Mixed in before :class:`EnvManager`; ``hidden_where`` finishes "keeps env state ..." in the error.
    """

    kind: str
    hidden_where: str = "in other processes"

    def can_capture(self) -> bool:
        return False

    def state_dict(self) -> dict | None:
        return None

    def can_restore(self, state: dict | None) -> bool:
        return False

    def load_state_dict(self, state: dict) -> None:
        raise ValueError(f"the '{self.kind}' env manager keeps env state {self.hidden_where}: it cannot be restored")
