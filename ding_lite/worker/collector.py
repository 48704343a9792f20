"""SampleSerialCollector: n_sample transitions per collect from a vector env, in preallocated arrays."""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ding_lite.config.keys import SILENT, Key
from ding_lite.config.rules import non_negative
from ding_lite.worker.hooks import HookRegistry, RunContext

Report = Callable[[str, dict[str, float]], None]


KEYS = dict(
    type=Key("sample", "'sample': n_sample transitions per collect ('episode': whole episodes, PG)"),
    collect_print_freq=Key(100, "a collector line (episodes and mean return since the last one) in train.log every N "
                           "train iterations (DI-engine also writes its collector curves at this cadence; ding_lite "
                           "every collect)", non_negative, resume=SILENT),
    get_train_sample=Key(False, "DI-engine's episode collector: hand the policy's training samples rather than raw "
                         "episodes; ding_lite's episode collector always hands whole episodes to process_rollout, "
                         "which makes the samples (either value)"),
)
"""``policy.collect.collector`` (DI-engine's create_config ``collector``)."""


class SampleSerialCollector:
    """Steps all envs with one batched policy forward per vector step.

    The rollout arrays are [T, N, ...] with T = ceil(n_sample / N); they are reused by the next
    collect, so consumers must finish with them (or copy) before collecting again.
    """

    def __init__(self, env, act: Callable[[np.ndarray], dict[str, np.ndarray]], n_sample: int,
                 hooks: HookRegistry, ctx: RunContext, report: Report) -> None:
        self.env = env
        self.act = act
        self.num_envs = env.num_envs
        self.steps_per_collect = -(-n_sample // self.num_envs)
        self.hooks, self.ctx, self.report = hooks, ctx, report
        self.envstep = 0
        self.episode_count = 0
        self._obs: np.ndarray | None = None
        self._ep_return = np.zeros(self.num_envs, dtype=np.float64)
        self._ep_len = np.zeros(self.num_envs, dtype=np.int64)
        self._buf: dict[str, np.ndarray] = {}

    def _allocate(self, obs: np.ndarray, out: dict[str, np.ndarray]) -> None:
        T, N = self.steps_per_collect, self.num_envs
        fields = {"obs": obs, "final_obs": obs, **{k: v for k, v in out.items() if k != "env_action"}}
        self._buf = {k: np.empty((T, *v.shape), dtype=v.dtype) for k, v in fields.items()}
        self._buf["reward"] = np.empty((T, N), dtype=np.float32)
        self._buf["terminated"] = np.empty((T, N), dtype=bool)
        self._buf["truncated"] = np.empty((T, N), dtype=bool)

    def collect(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Returns (rollout, observation after the last step) for bootstrapping."""
        start = time.perf_counter()
        if self._obs is None:
            self._obs = self.env.reset()
        obs, buf = self._obs, self._buf
        returns, lengths = [], []
        for t in range(self.steps_per_collect):
            out = self.act(obs)
            if not buf:
                self._allocate(obs, out)
                buf = self._buf
            res = self.env.step(out["env_action"])
            buf["obs"][t] = obs
            for key, value in out.items():
                if key != "env_action":
                    buf[key][t] = value
            buf["reward"][t] = res.reward
            buf["terminated"][t] = res.terminated
            buf["truncated"][t] = res.truncated
            buf["final_obs"][t] = res.final_obs
            self._ep_return += res.reward
            self._ep_len += 1
            done = res.terminated | res.truncated
            if done.any():
                returns.extend(self._ep_return[done].tolist())
                lengths.extend(self._ep_len[done].tolist())
                self._ep_return[done] = 0.0
                self._ep_len[done] = 0
            obs = res.obs
        self._obs = obs
        steps = self.steps_per_collect * self.num_envs
        self.envstep += steps
        self.episode_count += len(returns)
        self.ctx.envstep = self.envstep
        info: dict[str, float] = {"envstep_per_sec": steps / max(time.perf_counter() - start, 1e-9)}
        if returns:
            info.update(reward_mean=float(np.mean(returns)), reward_std=float(np.std(returns)),
                        reward_max=float(np.max(returns)), reward_min=float(np.min(returns)),
                        episode_length_mean=float(np.mean(lengths)), episode_count=float(self.episode_count))
        self.report("collector", info)
        self.ctx.collect_info = info
        self.hooks.call("after_collect", self.ctx)
        return buf, obs

    def state_dict(self) -> dict:
        return {
            "envstep": self.envstep,
            "episode_count": self.episode_count,
            "obs": None if self._obs is None else self._obs.copy(),
            "ep_return": self._ep_return.copy(),
            "ep_len": self._ep_len.copy(),
            "env": self.env.state_dict(),
        }

    def load_state_dict(self, state: dict, env_restorable: bool) -> None:
        """Counters always; episodes in flight only when the envs themselves could be restored."""
        self.envstep = int(state["envstep"])
        self.episode_count = int(state["episode_count"])
        self.ctx.envstep = self.envstep
        if env_restorable:
            self.env.load_state_dict(state["env"])
            self._obs = None if state["obs"] is None else np.asarray(state["obs"])  # saved before the first collect
            self._ep_return = np.asarray(state["ep_return"], dtype=np.float64).copy()
            self._ep_len = np.asarray(state["ep_len"], dtype=np.int64).copy()
        else:
            self._obs = self.env.reset(seed_offset=self.envstep)


class EpisodeSerialCollector:
    """Collects whole episodes: ``collect()`` steps all envs until ``n_episode`` episodes have ended.

    Returns ``(episodes, None)``: a list of dicts of ``[L, ...]`` arrays (obs, the policy's outputs
    except ``env_action``, reward, terminated, truncated, final_obs), in the order the episodes ended
    (env index order within one step). Episodes still running when a collect ends are kept and
    finished by the next collect; they are part of ``state_dict`` so a resumed run is exact.

    Storage: one ``[N, ...]`` row per vector step and field, shared by all envs; an ended episode is
    cut out of the rows since its start, and rows no running episode needs are dropped.
    """

    def __init__(self, env, act: Callable[[np.ndarray], dict[str, np.ndarray]], n_episode: int,
                 hooks: HookRegistry, ctx: RunContext, report: Report) -> None:
        if n_episode < 1:
            raise ValueError(f"n_episode must be >= 1, got {n_episode}")
        self.env = env
        self.act = act
        self.num_envs = env.num_envs
        self.n_episode = n_episode
        self.hooks, self.ctx, self.report = hooks, ctx, report
        self.envstep = 0
        self.episode_count = 0
        self._obs: np.ndarray | None = None
        self._clear_rows()

    def _clear_rows(self) -> None:
        self._rows: dict[str, list[np.ndarray]] = {}
        self._row0 = 0  # step number of self._rows[field][0]
        self._t = 0  # step number of the next row
        self._start = np.zeros(self.num_envs, dtype=np.int64)  # step number where each env's episode began

    def _append(self, key: str, value: np.ndarray) -> None:
        self._rows.setdefault(key, []).append(value)

    def collect(self) -> tuple[list[dict[str, np.ndarray]], None]:
        start_time = time.perf_counter()
        if self._obs is None:
            self._obs = self.env.reset()
        obs = self._obs
        episodes: list[dict[str, np.ndarray]] = []
        steps = 0
        while len(episodes) < self.n_episode:
            out = self.act(obs)
            res = self.env.step(out["env_action"])
            self._append("obs", np.array(obs))
            for key, value in out.items():
                if key != "env_action":
                    self._append(key, value)
            self._append("reward", res.reward)
            self._append("terminated", np.asarray(res.terminated, dtype=bool))
            self._append("truncated", np.asarray(res.truncated, dtype=bool))
            self._append("final_obs", np.array(res.final_obs))
            self._t += 1
            steps += 1
            done = np.flatnonzero(res.terminated | res.truncated)
            if len(done):
                episodes.extend(self._cut_episodes(done))
            obs = res.obs
        self._obs = obs
        n_steps = steps * self.num_envs
        self.envstep += n_steps
        self.episode_count += len(episodes)
        self.ctx.envstep = self.envstep
        returns = [float(ep["reward"].sum(dtype=np.float64)) for ep in episodes]
        lengths = [len(ep["reward"]) for ep in episodes]
        info: dict[str, float] = {
            "envstep_per_sec": n_steps / max(time.perf_counter() - start_time, 1e-9),
            "reward_mean": float(np.mean(returns)), "reward_std": float(np.std(returns)),
            "reward_max": float(np.max(returns)), "reward_min": float(np.min(returns)),
            "episode_length_mean": float(np.mean(lengths)), "episode_count": float(self.episode_count),
        }
        self.report("collector", info)
        self.ctx.collect_info = info
        self.hooks.call("after_collect", self.ctx)
        return episodes, None

    def _cut_episodes(self, done: np.ndarray) -> list[dict[str, np.ndarray]]:
        first = int(self._start[done].min()) - self._row0
        stacked = {k: np.stack(rows[first:]) for k, rows in self._rows.items()}  # [S, N, ...]
        episodes = []
        for i in done:
            begin = int(self._start[i]) - self._row0 - first
            episodes.append({k: v[begin:, i].copy() for k, v in stacked.items()})
        self._start[done] = self._t
        keep_from = int(self._start.min())
        if keep_from > self._row0:
            for rows in self._rows.values():
                del rows[:keep_from - self._row0]
            self._row0 = keep_from
        return episodes

    def state_dict(self) -> dict:
        rows = {k: np.stack(v) for k, v in self._rows.items() if v}
        return {
            "envstep": self.envstep,
            "episode_count": self.episode_count,
            "obs": None if self._obs is None else self._obs.copy(),
            "rows": rows,  # [S, N, ...] per field: the steps of the episodes in flight
            "start": self._start - self._row0,  # where each env's episode begins within rows
            "env": self.env.state_dict(),
        }

    def load_state_dict(self, state: dict, env_restorable: bool) -> None:
        """Counters always; episodes in flight only when the envs themselves could be restored."""
        self.envstep = int(state["envstep"])
        self.episode_count = int(state["episode_count"])
        self.ctx.envstep = self.envstep
        self._clear_rows()
        if env_restorable:
            self.env.load_state_dict(state["env"])
            self._obs = None if state["obs"] is None else np.asarray(state["obs"])  # saved before the first collect
            self._rows = {k: list(np.asarray(v)) for k, v in state["rows"].items()}
            self._t = len(next(iter(self._rows.values()))) if self._rows else 0
            self._start = np.asarray(state["start"], dtype=np.int64).copy()
        else:
            self._obs = self.env.reset(seed_offset=self.envstep)
