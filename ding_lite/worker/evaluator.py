"""InteractionSerialEvaluator: greedy episodes on separate envs every eval_freq train iterations."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ding_lite.config.keys import SILENT, Key
from ding_lite.config.rules import of_type, one_of, positive
from ding_lite.worker.hooks import HookRegistry, RunContext

if TYPE_CHECKING:
    from ding_lite.worker.eval_video import EvalVideos

Report = Callable[[str, dict[str, float]], None]
EVAL_SEED_OFFSET = 100_000
"""Evaluator envs are seeded apart from collector envs so the two never replay the same episodes."""


KEYS = dict(
    eval_freq=Key(1000, "evaluate every N train iterations (and once before training)", positive, resume=SILENT),
    render=dict(  # DI-engine's evaluator videos, by its rule: due when N train_iter/envstep have passed
        render_freq=Key(-1, "record an evaluation's episodes every N train_iter or envstep (mode) as mp4 files "
                            "(DI-engine: TensorBoard videos); -1: only env.replay_path's", of_type(int),
                        resume=SILENT),
        mode=Key("train_iter", "what render_freq counts: 'train_iter' or 'envstep'", one_of("train_iter", "envstep"),
                 resume=SILENT),
    ),
)
"""``policy.eval.evaluator``."""


class InteractionSerialEvaluator:
    def __init__(self, env, act: Callable[[np.ndarray], np.ndarray], eval_freq: int, n_episode: int,
                 stop_value: float | None, hooks: HookRegistry, ctx: RunContext, report: Report) -> None:
        self.env = env
        self.act = act
        self.eval_freq = eval_freq
        self.n_episode = n_episode
        self.stop_value = stop_value
        self.hooks, self.ctx, self.report = hooks, ctx, report
        self.best_return = -float("inf")
        self.last_eval_iter = -1
        self.last_return: float | None = None
        self.eval_count = 0
        self.videos: EvalVideos | None = None
        """Set (with evaluator envs that render) to record every evaluation's episodes."""

    def should_eval(self, train_iter: int) -> bool:
        if train_iter == self.last_eval_iter:
            return False
        return self.last_eval_iter < 0 or train_iter - self.last_eval_iter >= self.eval_freq

    def _run_episodes(self) -> tuple[np.ndarray, np.ndarray]:
        n_env = self.env.num_envs
        quota = np.array([self.n_episode // n_env + (i < self.n_episode % n_env) for i in range(n_env)])
        obs = self.env.reset(seed_offset=EVAL_SEED_OFFSET) if self.eval_count == 0 else self.env.reset_unseeded()
        active = quota > 0
        ep_return = np.zeros(n_env)
        ep_len = np.zeros(n_env, dtype=np.int64)
        returns: list[float] = []
        lengths: list[int] = []
        videos = self.videos
        if videos is not None and not videos.due(self.ctx.train_iter, self.ctx.envstep):
            videos = None
        if videos is not None:
            videos.begin(self.ctx.train_iter, self.ctx.envstep)
        while active.any():
            if videos is not None:
                videos.frames(self.env.render(), active)
            res = self.env.step(self.act(obs))
            ep_return += res.reward * active
            ep_len += active
            for i in np.flatnonzero((res.terminated | res.truncated) & active):
                returns.append(float(ep_return[i]))
                lengths.append(int(ep_len[i]))
                ep_return[i], ep_len[i] = 0.0, 0
                if videos is not None:
                    videos.episode_end(i)
                quota[i] -= 1
                active[i] = quota[i] > 0
            obs = res.obs
        if videos is not None:
            videos.finish()
        return np.array(returns), np.array(lengths)

    def eval(self) -> bool:
        """Runs the episodes, reports them, and returns whether stop_value is reached."""
        returns, lengths = self._run_episodes()
        self.eval_count += 1
        self.last_eval_iter = self.ctx.train_iter
        mean = float(returns.mean())
        self.last_return = mean
        result = {
            "reward_mean": mean, "reward_std": float(returns.std()),
            "reward_max": float(returns.max()), "reward_min": float(returns.min()),
            "episode_length_mean": float(lengths.mean()),
        }
        self.report("evaluator", result)
        improved = mean > self.best_return
        if improved:
            self.best_return = mean
        self.ctx.eval_result = {**result, "improved": improved, "best": self.best_return}
        self.hooks.call("after_eval", self.ctx)
        return self.stop_value is not None and mean >= self.stop_value

    def state_dict(self) -> dict:
        return {
            "best_return": self.best_return,
            "last_eval_iter": self.last_eval_iter,
            "last_return": self.last_return,
            "eval_count": self.eval_count,
            "last_render_iter": self.videos.last_render_iter if self.videos is not None else -1,
            "env": self.env.state_dict(),
        }

    def load_state_dict(self, state: dict, env_restorable: bool) -> None:
        self.best_return = float(state["best_return"])
        self.last_eval_iter = int(state["last_eval_iter"])
        self.last_return = state["last_return"]
        self.eval_count = int(state["eval_count"])
        if self.videos is not None:
            self.videos.last_render_iter = int(state.get("last_render_iter", -1))  # absent before render existed
        if env_restorable:
            self.env.load_state_dict(state["env"])
        elif self.eval_count:
            self.env.reset(seed_offset=EVAL_SEED_OFFSET + self.eval_count)
