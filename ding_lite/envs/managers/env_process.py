"""Inside one env worker process of the 'subprocess' manager: one env, served over a pipe.

The worker never acts on a stop signal itself. A terminal's Ctrl-C, ``timeout``, ``kill -- -PGID``, SLURM
and Kubernetes signal the whole process group; the main process then finishes its step, saves (asking the
workers for their envs' state) and closes them. A worker that acted on the signal would die under the
main process in the middle of that. So the parent starts workers with these signals blocked, and the first
thing a worker does is ignore them (``utils.stop_signals``).

The env is built and stepped exactly as ``SyncVectorEnv`` builds and steps sub-env ``index`` (``env_fn()``,
spaces seeded ``seed + index``, same-step autoreset), so its captured state is the 'sync' manager's for that
env. Messages are plain pickles (``send_bytes``), never multiprocessing's reducer, which would move tensors
through shared memory.
"""
from __future__ import annotations

import contextlib
import pickle
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ding_lite.utils.stop_signals import ignore_stop_signals


def send(conn: Connection, message: Any) -> None:
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def recv(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


def _error(exc: BaseException) -> tuple:
    """('error', what happened, where in the env's code): the parent raises it as one sentence."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    return ("error", f"{type(exc).__name__}: {exc}", where)


def _step(env: Any, action: Any) -> tuple:
    """SyncVectorEnv's same-step autoreset for one env: an ended episode is reset at once."""
    obs, reward, terminated, truncated, _ = env.step(action)
    final_obs = None
    if terminated or truncated:
        final_obs = obs
        obs, _ = env.reset()
    return obs, float(reward), bool(terminated), bool(truncated), final_obs


def _handle(env: Any, command: str, arg: Any) -> Any:
    if command == "step":
        return _step(env, arg)
    if command == "reset":
        return env.reset(seed=arg)[0]
    if command == "render":
        return env.render()
    from ding_lite.envs import state as env_state  # torch: already imported where a run forks its workers

    if command == "capture":
        try:
            return env_state.capture(env)
        except env_state.EnvStateUnsupported as exc:
            return ("uncapturable", str(exc))
    if command == "restore":
        env_state.restore(env, arg)
        return None
    raise ValueError(f"unknown env worker command {command!r}")


def serve(index: int, seed: int, env_fn: Callable[[], Any], conn: Connection, parent_end: Connection | None) -> None:
    """The worker's whole life: build the env, answer commands until 'close' or until the parent is gone."""
    ignore_stop_signals()
    if parent_end is not None:
        parent_end.close()  # so that this worker sees EOF when the main process is gone
    try:
        env = env_fn()
        env.action_space.seed(seed + index)  # as SyncManager seeds sub-env i's spaces
        env.observation_space.seed(seed + index)
        reply: Any = ("ready", (env.observation_space, env.action_space))
    except Exception as exc:  # noqa: BLE001 - whatever the env raises is told to the main process
        with contextlib.suppress(OSError):
            send(conn, _error(exc))
        return
    try:
        while True:
            try:
                send(conn, reply)
                command, arg = recv(conn)
            except (EOFError, OSError):
                return  # the main process is gone: nothing to answer
            if command == "close":
                return
            try:
                reply = ("ok", _handle(env, command, arg))
            except Exception as exc:  # noqa: BLE001 - whatever the env raises is told to the main process
                reply = _error(exc)
    finally:
        with contextlib.suppress(Exception):
            env.close()
