"""SampleSerialCollector: n_sample transitions per collect from a vector env, in preallocated arrays."""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ding_lite.worker.hooks import HookRegistry, RunContext

Report = Callable[[str, dict[str, float]], None]


def default_config() -> dict:
    return dict(
        type="sample",  # 'sample': n_sample transitions per collect
    )


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
            self._obs = np.asarray(state["obs"])
            self._ep_return = np.asarray(state["ep_return"], dtype=np.float64).copy()
            self._ep_len = np.asarray(state["ep_len"], dtype=np.int64).copy()
        else:
            self._obs = self.env.reset(seed_offset=self.envstep)
