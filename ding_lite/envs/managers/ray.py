"""'ray': the envs live in Ray actors, a slice of them each; the policy's forward stays in this process.

Each vector step sends every actor its slice of the actions at once and waits for all of them: one
round trip per step (~1 ms on one machine), so Ray pays only for slow simulators or for envs that must
run elsewhere (DESIGN.md "Performance model"). An actor holds a 'sync' manager over its slice, built
with the seeds the local 'sync' manager gives those envs (env i: seed + i), so a run steps exactly as
under 'sync', and the gathered env state *is* the 'sync' manager's (kind 'sync', one entry per env, in
order): a checkpoint taken here resumes on 'sync' and back, bit for bit.

A lost actor (its process or its node died): by default the run stops with one sentence
(``EnvActorDied``) and resumes exactly from its newest checkpoint (``ray_runs`` retries the task for
that). ``on_actor_failure='restart'`` starts a new actor instead, puts back the state its envs had at
the last checkpoint (their RNG streams; with none, seeds them anew), starts new episodes, reports the
lost step as truncated with reward 0, and says once that the run is no longer exact.
"""
from __future__ import annotations

import functools
import itertools
import math
import os
import threading
import warnings
from typing import Any

import numpy as np

from ding_lite.config.errors import ConfigError
from ding_lite.distributed import require
from ding_lite.envs.managers.base import EnvFailure, EnvManager, StepResult
from ding_lite.envs.managers.gym_vector import SyncManager
from ding_lite.utils.stop_signals import ignore_stop_signals

ray = require("ray", "env.manager.type 'ray'")

ACTOR_START_NOTE = 60.0
"""Seconds after which actors that have not started yet are said to be waiting (for room in a busy cluster, or
for their processes on a loaded machine): they are waited for, never given up on by the clock."""
FAILURES = ("fail", "restart")


def fitting_cpus(free: float, num_actors: int, evaluator: bool) -> float:
    """CPUs per actor when ``env.manager.ray.num_cpus`` is None: the collector's actors take half of the cluster's
    free CPUs, the evaluator's (built next) what is left, at most one CPU each, in Ray's 1e-4 steps; 0 when
    none is free (the actors then share the CPUs that are there)."""
    share = free / num_actors if evaluator else free / (2 * num_actors)
    return math.floor(min(1.0, share) * 10_000) / 10_000


class EnvActorDied(EnvFailure):
    """An env actor was lost under on_actor_failure='fail'; ``ray_runs`` retries a run's task on this."""


class EnvSlice:
    """Inside an actor: a 'sync' manager over the run's envs lo .. lo + n - 1."""

    def __init__(self, env_id: str, lo: int, n: int, seed: int, max_episode_steps: int | None,
                 env_options: Any) -> None:
        from ding_lite.envs.make import silence_env_warnings

        if threading.current_thread() is threading.main_thread():
            ignore_stop_signals()  # a local cluster's workers share the run's process group: the driver decides
        silence_env_warnings()
        self.envs = SyncManager.build(env_id, n, seed + lo, max_episode_steps, env_options=env_options)

    def spaces(self) -> tuple[Any, Any, int]:
        return self.envs.observation_space, self.envs.action_space, os.getpid()

    def reset(self, seed_offset: int) -> np.ndarray:
        return self.envs.reset(seed_offset)

    def reset_unseeded(self) -> np.ndarray:
        return self.envs.reset_unseeded()

    def step(self, actions: np.ndarray) -> tuple:
        res = self.envs.step(actions)
        return res.obs, res.reward, res.terminated, res.truncated, res.final_obs

    def can_capture(self) -> bool:
        return self.envs.can_capture()

    def state(self) -> list | None:
        state = self.envs.state_dict()
        return None if state is None else state["envs"]

    def load(self, envs: list) -> None:
        self.envs.load_state_dict({"kind": "sync", "envs": envs})


@functools.cache
def _actor_class() -> Any:
    return ray.remote(EnvSlice)


class RayManager(EnvManager):
    """``num_envs`` envs split over ``num_actors`` Ray actors (joins the running cluster, else starts one)."""

    kind = "ray"

    def __init__(self, env_id: str, num_envs: int, seed: int, env_args: tuple, actor_options: dict,
                 on_actor_failure: str, num_actors: int) -> None:
        self.env_id, self.num_envs, self.seed = env_id, num_envs, seed
        self._env_args = env_args  # (max_episode_steps, env_options): how every actor builds its envs
        self._options = actor_options
        self._on_failure = on_actor_failure
        bounds = np.linspace(0, num_envs, num_actors + 1).round().astype(int)
        self._slices = [slice(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds)]
        self._saved: list[list | None] = [None] * num_actors  # each slice's env state at the last state_dict()
        self._last_obs: np.ndarray | None = None
        self._restarts = 0
        self._fresh: dict[int, np.ndarray] = {}  # slices restarted outside a step: first obs of their new episodes
        self._refuse_if_never_fits(num_actors)
        self._actors = [self._start(k) for k in range(num_actors)]
        try:
            ready = self._wait_started([a.spaces.remote() for a in self._actors])
        except ray.exceptions.RayActorError as exc:  # the env could not be built inside an actor
            self.close()
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            raise ConfigError(f"env.manager.type 'ray': the env actors could not build {env_id} "
                              f"({lines[-1] if lines else type(exc).__name__}); an env registered by an import "
                              "must be importable in every actor.") from None
        self.observation_space, self.action_space, _ = ready[0]
        self.pids = [pid for _, _, pid in ready]
        sizes = sorted({s.stop - s.start for s in self._slices})
        self.choice = (f"ray ({num_actors} actors of {'/'.join(map(str, sizes))} envs, pids "
                       f"{'/'.join(map(str, self.pids))}, {actor_options}, on_actor_failure={on_actor_failure})")

    @classmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: Any = None, num_actors: int = 2,
              num_cpus: float | None = None, num_gpus: float = 0.0, resources: dict | None = None,
              on_actor_failure: str = "fail") -> RayManager:
        """The ``env.manager.ray`` keys come as keyword arguments (see ``base.default_config``)."""
        if on_actor_failure not in FAILURES:
            raise ConfigError(f"config key 'env.manager.ray.on_actor_failure' must be one of {FAILURES}, "
                              f"got {on_actor_failure!r}.")
        if not ray.is_initialized():
            ray.init(logging_level="WARNING", include_dashboard=False)
        num_actors = min(num_actors, num_envs)
        if num_cpus is None:
            evaluator = env_options is not None and not env_options.train
            num_cpus = fitting_cpus(ray.available_resources().get("CPU", 0.0), num_actors, evaluator)
        options = {"num_cpus": num_cpus, "num_gpus": num_gpus, "resources": dict(resources or {})}
        return cls(env_id, num_envs, seed, (max_episode_steps, env_options), options, on_actor_failure, num_actors)

    def _refuse_if_never_fits(self, num_actors: int) -> None:
        """An actor that needs more than the whole cluster has would wait forever: one sentence now instead."""
        total = ray.cluster_resources()
        need = {"CPU": self._options["num_cpus"], "GPU": self._options["num_gpus"], **self._options["resources"]}
        short = {k: v for k, v in need.items() if v and v > total.get(k, 0.0)}
        if short:
            raise ConfigError(f"env.manager.type 'ray': each of the {num_actors} env actors needs {short}, more than "
                              f"the whole cluster has ({ {k: total.get(k, 0.0) for k in short} }): lower "
                              "env.manager.ray.num_cpus/num_gpus/resources, or leave num_cpus None to size it here.")

    def _wait_started(self, refs: list) -> list:
        """The actors' first answers, however long a busy cluster or a loaded machine takes; said once after
        ``ACTOR_START_NOTE`` seconds."""
        _, pending = ray.wait(refs, num_returns=len(refs), timeout=ACTOR_START_NOTE)
        if pending:
            warnings.warn(f"env.manager.type 'ray': {len(pending)} env actors, each needing {self._options}, have not "
                          f"started after {ACTOR_START_NOTE:.0f} s (free: {ray.available_resources().get('CPU', 0)} "
                          "CPUs); waiting for them.", stacklevel=3)
        return ray.get(refs)

    def _start(self, k: int) -> Any:
        part = self._slices[k]
        actor = _actor_class().options(max_restarts=0, **self._options)
        return actor.remote(self.env_id, part.start, part.stop - part.start, self.seed, *self._env_args)

    def _describe(self, k: int) -> str:
        part = self._slices[k]
        return f"env actor {k} of {len(self._actors)} (envs {part.start}-{part.stop - 1} of {self.env_id})"

    def _gather(self, method: str, args: list[tuple | None]) -> list:
        """Call ``method`` on every actor (None in ``args``: skip it) at once, one round trip; a lost actor
        fails the run or is replaced."""
        refs = [None if a is None else getattr(actor, method).remote(*a)
                for actor, a in zip(self._actors, args, strict=True)]
        try:
            got = iter(ray.get([ref for ref in refs if ref is not None]))
        except ray.exceptions.RayActorError:
            return self._each(refs, method, args)
        return [None if ref is None else next(got) for ref in refs]

    def _each(self, refs: list, method: str, args: list[tuple | None]) -> list:
        out = []
        for k, ref in enumerate(refs):
            try:
                out.append(None if ref is None else ray.get(ref))
            except ray.exceptions.RayActorError as exc:
                out.append(self._replace(k, exc, method, args[k]))
        return out

    def _replace(self, k: int, exc: Exception, method: str, args: tuple) -> Any:
        """A new actor for slice k, then ``method`` again; after a step or a state query its envs start new
        episodes, which the (next) step reports as truncated with reward 0."""
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if self._on_failure == "fail":
            raise EnvActorDied(
                f"{self._describe(k)} died ({cause}); the run stops: resume it from its newest checkpoint "
                "(ray_runs does so itself), or set env.manager.ray.on_actor_failure='restart'.") from None
        self._actors[k] = self._start(k)
        actor, saved = self._actors[k], self._saved[k]
        if saved is not None:
            ray.get(actor.load.remote(saved))
        note = "the envs' state from the last checkpoint" if saved is not None else "new seeds"
        exact = "" if self._restarts else "; this run is no longer exact"
        self._restarts += 1
        self.say(f"{self._describe(k)} died ({cause}); restarted it with {note} and new episodes{exact}")
        if method in ("reset", "reset_unseeded", "load"):
            return ray.get(getattr(actor, method).remote(*args))
        fresh = actor.reset_unseeded.remote() if saved is not None else actor.reset.remote(self.num_envs * self._restarts)
        self._fresh[k] = ray.get(fresh)
        return self._truncated(k) if method == "step" else ray.get(getattr(actor, method).remote(*args))

    def _truncated(self, k: int) -> tuple:
        """Slice k's part of a step: its episodes were cut where the old actor was lost; new ones begin."""
        obs = self._fresh.pop(k)
        n = len(obs)
        lost = obs if self._last_obs is None else self._last_obs[self._slices[k]]
        return obs, np.zeros(n, np.float32), np.zeros(n, bool), np.ones(n, bool), lost

    def reset(self, seed_offset: int = 0) -> np.ndarray:
        self._last_obs = np.concatenate(self._gather("reset", [(seed_offset,)] * len(self._actors)))
        return self._last_obs

    def reset_unseeded(self) -> np.ndarray:
        self._last_obs = np.concatenate(self._gather("reset_unseeded", [()] * len(self._actors)))
        return self._last_obs

    def step(self, actions: np.ndarray) -> StepResult:
        actions = np.asarray(actions)
        parts = self._gather("step", [None if k in self._fresh else (actions[part],)
                                      for k, part in enumerate(self._slices)])
        parts = [self._truncated(k) if part is None else part for k, part in enumerate(parts)]
        obs, reward, terminated, truncated, final_obs = (np.concatenate(field) for field in zip(*parts, strict=True))
        self._last_obs = obs
        return StepResult(obs, reward, terminated, truncated, final_obs)

    def can_capture(self) -> bool:
        return all(self._gather("can_capture", [()] * len(self._actors)))

    def state_dict(self) -> dict | None:
        parts = self._gather("state", [()] * len(self._actors))
        if any(part is None for part in parts):
            return None
        self._saved = parts
        return {"kind": "sync", "envs": [env for part in parts for env in part]}

    def can_restore(self, state: dict | None) -> bool:
        return state is not None and state.get("kind", "sync") == "sync" and len(state["envs"]) == self.num_envs

    def load_state_dict(self, state: dict) -> None:
        if state.get("kind", "sync") != "sync":
            raise ValueError(f"env state was captured from the '{state['kind']}' env manager; 'ray' loads 'sync' "
                             "state")
        envs = state["envs"]
        self._saved = [envs[part] for part in self._slices]
        self._gather("load", [(part,) for part in self._saved])

    def close(self) -> None:
        for actor in self._actors:
            ray.kill(actor)
