"""'subprocess' / 'async' (DI-engine's names): one worker process per env, for expensive simulators.

Worker i builds and steps env i exactly as the 'sync' manager does (``env_process``), so a run steps the same
under both and the state gathered from the workers *is* the 'sync' manager's (kind 'sync', one entry per env):
a checkpoint taken here resumes exactly here, on 'sync' and on 'ray', and back. Each step sends every worker
its action, then waits for all replies at once (the envs step in parallel).

Workers ignore SIGINT/SIGTERM/SIGUSR1 from their first instruction: the main process decides when to stop and
shuts them down (see ``env_process``). A worker that dies on its own (the OOM killer, a segfaulting simulator,
``kill -9``) is one sentence naming the env and its exit cause (``EnvWorkerDied``), raised at the next
exchange; the run stops without writing the now inconsistent state, so its newest checkpoint stays the last
consistent one.
"""
from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import multiprocessing.util
import os
import signal
import weakref
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

import numpy as np
from gymnasium.vector.utils import concatenate, create_empty_array

from ding_lite.config.errors import ConfigError
from ding_lite.envs.make import env_fn
from ding_lite.envs.managers.base import BackendUnavailable, EnvFailure, EnvManager, StepResult
from ding_lite.envs.managers.env_process import recv, send, serve
from ding_lite.utils.stop_signals import blocked_stop_signals

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions

STATE_KIND = "sync"
"""The env state these workers capture is the 'sync' manager's."""
CLOSE_TIMEOUT = 5.0
"""Seconds a worker may take to close its env before it is killed."""


class EnvWorkerDied(EnvFailure):
    """An env worker process ended on its own: the message names the env and how it ended."""


def exit_cause(exitcode: int | None) -> str:
    """``Process.exitcode`` in words: 'killed by SIGKILL', 'exited with code 3'."""
    if exitcode is None:
        return "closed its pipe while still running"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


_OPEN: weakref.WeakSet = weakref.WeakSet()
"""Managers not closed yet: killed at exit (a run aborted by a second Ctrl-C skips their close)."""


@atexit.register
def _close_left_open() -> None:
    """Runs before multiprocessing's own exit handler (registered earlier, so later), which would wait forever on
    workers that ignore its SIGTERM."""
    for manager in list(_OPEN):
        manager.close(timeout=0.0)


def _context() -> Any:
    """fork where the platform has it (no re-import in the worker), else spawn."""
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


class SubprocessManager(EnvManager):
    """``num_envs`` worker processes, env i in worker i."""

    kind = "async"

    def __init__(self, env_id: str, num_envs: int, seed: int, options: EnvOptions | None) -> None:
        self.env_id, self.num_envs, self.seed = env_id, num_envs, seed
        self.role = "evaluator" if options is not None and not options.train else "collector"
        self._closed = False
        self._procs: list[Any] = []
        self._conns: list[Connection] = []
        self._uncapturable = ""
        _OPEN.add(self)

    def _start(self, max_episode_steps: int | None, options: EnvOptions | None) -> None:
        ctx, build = _context(), env_fn(self.env_id, max_episode_steps, options)
        with blocked_stop_signals():  # the workers start with the stop signals blocked, then ignore them
            for i in range(self.num_envs):
                parent_end, child_end = ctx.Pipe()
                proc = ctx.Process(target=serve, args=(i, self.seed, build, child_end, parent_end),
                                   name=f"ding_lite env {i}", daemon=True)
                proc.start()
                child_end.close()
                self._procs.append(proc)
                self._conns.append(parent_end)
        ready = self._gather(range(self.num_envs), "build")
        self.observation_space, self.action_space = ready[0]
        self.action_space.seed(self.seed)
        self.observation_space.seed(self.seed)
        self.pids = [p.pid for p in self._procs]
        self.choice = f"async (one process per env, pids {','.join(map(str, self.pids))})"

    @classmethod
    def build(cls, env_id: str, num_envs: int, seed: int, max_episode_steps: int | None = None,
              require_capture: bool = False, env_options: EnvOptions | None = None) -> SubprocessManager:
        manager = cls(env_id, num_envs, seed, env_options)
        try:
            manager._start(max_episode_steps, env_options)
        except EnvFailure as exc:
            manager.close()
            raise ConfigError(f"env.manager.type 'subprocess': {exc}") from None
        except BaseException:
            manager.close()
            raise
        if require_capture and not manager.can_capture():
            manager.close()
            raise BackendUnavailable(f"the state of {env_id}'s envs in worker processes cannot be captured")
        return manager

    # ----------------------------------------------------------------- the pipes

    def _describe(self, i: int) -> str:
        return f"{self.role} env {i} of {self.num_envs} ({self.env_id}, worker pid {self._procs[i].pid})"

    def _died(self, i: int, doing: str) -> EnvWorkerDied:
        proc = self._procs[i]
        proc.join(timeout=CLOSE_TIMEOUT)  # its pipe closed: it is exiting, let it finish to read the cause
        return EnvWorkerDied(f"{self._describe(i)} died during {doing}: {exit_cause(proc.exitcode)}.")

    def _send(self, i: int, command: str, arg: Any) -> None:
        try:
            send(self._conns[i], (command, arg))
        except OSError:
            raise self._died(i, command) from None

    def _gather(self, indices: Any, doing: str) -> list:
        """Every listed worker's reply, waiting on all at once; a dead worker or an env error is one sentence."""
        indices = list(indices)
        replies: dict[int, Any] = {}
        pending = set(indices)
        while pending:
            wait([self._conns[i] for i in pending] + [self._procs[i].sentinel for i in pending])
            for i in sorted(pending):
                conn = self._conns[i]
                if conn.poll():
                    try:
                        replies[i] = recv(conn)
                    except (EOFError, OSError):
                        raise self._died(i, doing) from None
                    pending.discard(i)
                elif not self._procs[i].is_alive():
                    raise self._died(i, doing)
        out = []
        for i in indices:
            status, *rest = replies[i]
            if status == "error":
                message, where = rest
                raise EnvFailure(f"{self._describe(i)} raised {message} during {doing} (at {where}).")
            out.append(rest[0])
        return out

    def _call(self, command: str, args: list) -> list:
        for i, arg in enumerate(args):
            self._send(i, command, arg)
        return self._gather(range(self.num_envs), command)

    # ----------------------------------------------------------------- the protocol

    def reset(self, seed_offset: int = 0) -> np.ndarray:
        base = self.seed + seed_offset
        return self._stack(self._call("reset", [base + i for i in range(self.num_envs)]))

    def reset_unseeded(self) -> np.ndarray:
        return self._stack(self._call("reset", [None] * self.num_envs))

    def _stack(self, observations: list) -> np.ndarray:
        """As SyncVectorEnv concatenates its sub-envs' observations (same dtype, same layout)."""
        out = create_empty_array(self.observation_space, self.num_envs)
        return concatenate(self.observation_space, observations, out)

    def step(self, actions: np.ndarray) -> StepResult:
        replies = self._call("step", list(actions))
        obs = self._stack([r[0] for r in replies])
        reward = np.array([r[1] for r in replies], dtype=np.float64).astype(np.float32)
        terminated = np.array([r[2] for r in replies], dtype=np.bool_)
        truncated = np.array([r[3] for r in replies], dtype=np.bool_)
        final_obs = obs
        if terminated.any() or truncated.any():
            final_obs = obs.copy()
            for i, reply in enumerate(replies):
                if reply[4] is not None:
                    final_obs[i] = reply[4]
        return StepResult(obs, reward, terminated, truncated, final_obs)

    def render(self) -> list[np.ndarray]:
        """Each env's current frame (envs built with ``render_mode='rgb_array'``)."""
        return self._call("render", [None] * self.num_envs)

    def _capture(self) -> list | None:
        states = self._call("capture", [None] * self.num_envs)
        refused = [s for s in states if isinstance(s, tuple)]
        if refused:
            self._uncapturable = refused[0][1]
            return None
        return states

    def can_capture(self) -> bool:
        return self._capture() is not None

    def state_dict(self) -> dict | None:
        states = self._capture()
        return None if states is None else {"kind": STATE_KIND, "envs": states}

    def can_restore(self, state: dict | None) -> bool:
        return (state is not None and state.get("kind", "sync") == STATE_KIND
                and len(state["envs"]) == self.num_envs)

    def load_state_dict(self, state: dict) -> None:
        if state.get("kind", "sync") != STATE_KIND:
            raise ValueError(f"env state was captured from the '{state['kind']}' env manager; '{self.kind}' loads "
                             f"'{STATE_KIND}' state")
        self._call("restore", list(state["envs"]))

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Ask every worker to close its env, then make sure each has ended (killed after ``timeout`` seconds);
        never raises: workers may be dead."""
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        for conn in self._conns:
            with contextlib.suppress(OSError):
                send(conn, ("close", None))
        for proc in self._procs:
            proc.join(timeout=timeout)
            if proc.is_alive():
                with contextlib.suppress(OSError):
                    os.kill(proc.pid, signal.SIGKILL)
                proc.join()
        for conn in self._conns:
            conn.close()
