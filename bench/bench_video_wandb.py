"""What evaluation videos (``env.replay_path``) and Weights & Biases (offline) cost inside real runs.

1. Recording cost per evaluation, for the shipped CartPole PPO, LunarLander PPO, Pong DQN and Hopper SAC
   configs (their own evaluator envs and episode counts; an untrained policy, so episodes are as long as an
   untrained agent makes them; ``--pong-frames`` caps Pong's games, whole games of an untrained agent take
   minutes on 2 cores): the same first evaluation (same seeds, same episodes) timed without and with videos,
   alternating, best of ``--repeats``; printed per evaluation and per recorded frame.
2. A whole run's wall time with and without videos at the shipped eval frequency: CartPole PPO to its
   stop_value (the only shipped config that finishes in seconds here).
3. W&B logging overhead per train iteration (``WANDB_MODE=offline``) on the shipped CartPole PPO and Pong DQN
   configs: time inside ding_lite's W&B session (queue, hand-over to W&B, start and finish) divided by the
   iterations, and the runs' wall time without and with W&B.

Run: ``MUJOCO_GL=egl nice -n 10 python bench/bench_video_wandb.py [--repeats 2] [--pong-frames 4000]``

Measured (``--repeats 1 --pong-frames 2000``, this project's 2-core machine loaded by six other engineers' work,
so walls are pessimistic; EGL here is Mesa's llvmpipe, a software renderer, ~360 ms per 480x480 MuJoCo frame)::

    env          episodes  frames eval s (off) eval s (on) cost s/eval ms/frame  ratio
    CartPole            5      46         0.00        0.71        0.71    15.41 364.52
    LunarLander        10     718         0.21       12.16       11.95    16.64  56.72
    Pong                8    3960        89.80      149.15       59.35    14.99   1.66
    Hopper              8     799         1.07      716.63      715.56   895.57 668.48
    CartPole PPO to stop_value: 18 evaluations, 680 train iterations;
      without videos 4.85 s, with videos 144.01 s: x29.72 (+139.16 s, 7.731 s per evaluation)
    config                    iters  rows start s log us/iter finish s wall off s wall on s
    cartpole_ppo_config.py      400    22    2.98       100.3     0.01       3.09      5.94
    pong_dqn_config.py          200    41    0.51       194.4     0.01     288.73    270.50

With imageio-ffmpeg (an ffmpeg process per episode) the same CartPole evaluation cost 1.71 s (37 ms a frame):
starting the encoder from a torch-sized process dominated short episodes, so videos are encoded with PyAV.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("WANDB_MODE", "offline")

from configs import SEARCH_PATH
from ding_lite.config import load_config_file
from ding_lite.pipeline.serial import SerialPipeline
from ding_lite.utils import wandb_run

EVAL_CONFIGS = {"CartPole": "cartpole_ppo_config.py", "LunarLander": "lunarlander_ppo_config.py",
                "Pong": "pong_dqn_config.py", "Hopper": "hopper_sac_config.py"}


def pipeline(config: str, base: Path, *, video: bool, wandb: str | None = None, **overrides) -> SerialPipeline:
    main, create, path = load_config_file(config, SEARCH_PATH)
    main["env"].update(overrides.pop("env", {}))
    if video:
        main["env"]["replay_path"] = str(base / "videos")
    main["exp_name"] = "bench"
    return SerialPipeline(main, create, config_path=str(path), base_dir=base, wandb_project=wandb, **overrides)


def one_eval(config: str, video: bool, env: dict) -> tuple[float, int, int]:
    """(seconds of the run's first evaluation, episodes, env steps) on a fresh pipeline."""
    with tempfile.TemporaryDirectory(prefix="bench_video_") as tmp:
        run = pipeline(config, Path(tmp), video=video, env=env)
        run._open_run_dir()
        run._wire()
        start = time.perf_counter()
        _returns, lengths = run.evaluator._run_episodes()
        seconds = time.perf_counter() - start
        if video:
            assert len(run.videos.written) == len(lengths)
        run.collector_env.close()
        run.evaluator_env.close()
        run.writer.close()
        return seconds, len(lengths), int(lengths.sum())


def recording_cost(repeats: int, pong_frames: int) -> None:
    print("1. Recording cost per evaluation (shipped evaluator envs and episode counts, untrained policy)")
    print(f"{'env':<12} {'episodes':>8} {'frames':>7} {'eval s (off)':>12} {'eval s (on)':>11} "
          f"{'cost s/eval':>11} {'ms/frame':>8} {'ratio':>6}")
    for name, config in EVAL_CONFIGS.items():
        env = {"max_episode_steps": pong_frames} if name == "Pong" else {}
        off, on = [], []
        for _ in range(repeats):
            off.append(one_eval(config, False, env))
            on.append(one_eval(config, True, env))
        t_off, t_on = min(t for t, _, _ in off), min(t for t, _, _ in on)
        episodes, frames = on[0][1], on[0][2]
        assert (episodes, frames) == off[0][1:], "videos changed the evaluation"
        cost = t_on - t_off
        print(f"{name:<12} {episodes:>8} {frames:>7} {t_off:>12.2f} {t_on:>11.2f} {cost:>11.2f} "
              f"{1000 * cost / frames:>8.2f} {t_on / t_off:>6.2f}")


def whole_run(repeats: int) -> None:
    print("\n2. CartPole PPO to stop_value at the shipped eval frequency (eval_freq 40), wall seconds")
    walls: dict[bool, list[float]] = {False: [], True: []}
    evals = {}
    for _ in range(repeats):
        for video in (False, True):
            with tempfile.TemporaryDirectory(prefix="bench_video_") as tmp:
                run = pipeline("cartpole_ppo_config.py", Path(tmp), video=video).run()
                walls[video].append(run.wall_seconds)
                evals[video] = (run.evaluator.eval_count, run.learner.train_iter, run.stop_reason)
    assert evals[False] == evals[True], evals
    best_off, best_on = min(walls[False]), min(walls[True])
    count, iters, reason = evals[True]
    print(f"  {count} evaluations, {iters} train iterations ({reason})")
    print(f"  without videos {best_off:.2f} s, with videos {best_on:.2f} s: x{best_on / best_off:.2f} "
          f"(+{best_on - best_off:.2f} s, {(best_on - best_off) / count:.3f} s per evaluation)")


class Timed:
    """Seconds spent inside WandbRun's methods and open_wandb (ding_lite's whole W&B cost)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: object, name: str) -> None:
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        setattr(owner, name, timed)


def wandb_overhead(iters: dict[str, int], pong_frames: int) -> None:
    print("\n3. W&B (offline) overhead per train iteration")
    print(f"{'config':<24} {'iters':>6} {'rows':>5} {'start s':>7} {'log us/iter':>11} {'finish s':>8} "
          f"{'wall off s':>10} {'wall on s':>9}")
    timer = Timed()
    for name in ("add", "add_video", "flush", "close"):
        timer.wrap(wandb_run.WandbRun, name)
    from ding_lite.pipeline import logs

    timer.wrap(logs, "open_wandb")
    rows = {"n": 0}
    for config, n in iters.items():
        timer.seconds.clear()
        walls = {}
        for project in (None, "ding-lite-bench"):
            with tempfile.TemporaryDirectory(prefix="bench_wandb_") as tmp:
                env = {"stop_value": None, **({"max_episode_steps": pong_frames} if "pong" in config else {})}
                run = pipeline(config, Path(tmp), video=False, wandb=project, max_train_iter=n, env=env).run()
                walls[project] = run.wall_seconds
                if project:
                    rows["n"] = run.wandb._step if run.wandb else 0
        per_iter = (timer.seconds["add"] + timer.seconds["flush"]) / n
        print(f"{config:<24} {n:>6} {rows['n']:>5} {timer.seconds['open_wandb']:>7.2f} {1e6 * per_iter:>11.1f} "
              f"{timer.seconds['close']:>8.2f} {walls[None]:>10.2f} {walls['ding-lite-bench']:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--pong-frames", type=int, default=4000,
                        help="Pong's time limit in emulator frames (4 per agent step; an untrained agent's "
                             "whole game is ~3,000-4,000 agent steps)")
    parser.add_argument("--cartpole-iters", type=int, default=400)
    parser.add_argument("--pong-iters", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; MUJOCO_GL={os.environ['MUJOCO_GL']}; WANDB_MODE={os.environ['WANDB_MODE']}")
    recording_cost(args.repeats, args.pong_frames)
    whole_run(args.repeats)
    wandb_overhead({"cartpole_ppo_config.py": args.cartpole_iters, "pong_dqn_config.py": args.pong_iters},
                   args.pong_frames)


if __name__ == "__main__":
    main()
