"""TRPO on CartPole-v0 to an eval return of 195: ding_lite's shipped config beside sb3-contrib's TRPO, measured in one run.

Both sides run as fresh processes, timed from launch to exit, seeds 0-4 (``--seeds``), one after the other on the
same machine. Both take a policy step per 1,024 env steps (8 envs) and evaluate 5 greedy episodes on separate
CartPole-v0 envs before every collect, stopping at a mean of 195; the env steps counted are training steps only.

- ding_lite: ``python -m entry.serial_onpolicy -c cartpole_trpo_config.py -s SEED`` (garage's linear feature
  baseline, max_kl_step 0.01, GAE lambda 0.98, centred advantages).
- sb3-contrib: ``TRPO('MlpPolicy', CartPole-v0 x 8, n_steps=128, seed=SEED)`` with its other defaults (a learned
  value function, target_kl 0.01, GAE lambda 0.95), stopped by a callback that evaluates with
  ``evaluate_policy`` at each rollout start. Skipped, with a note, when sb3-contrib is not installed.

For reference, garage's own guide shows its TF TRPO CartPole example (batch 10,000) at an average return of 192.4
after 111,243 env steps (epoch 10). Prints only; nothing is asserted.

Run:
    python bench/bench_trpo.py
    python bench/bench_trpo.py --seeds 0 1 2 --max-env-step 200000
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STOPPED = re.compile(r"Stopped: (?P<reason>.*?) at envstep (?P<envstep>[\d,]+)")
SB3_CHILD = r"""
import sys
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from sb3_contrib import TRPO

seed, budget = int(sys.argv[1]), int(sys.argv[2])


class StopAt195(BaseCallback):
    solved_at = None

    def _on_rollout_start(self) -> None:
        mean, _ = evaluate_policy(self.model, self.eval_env, n_eval_episodes=5, deterministic=True)
        if mean >= 195 and self.solved_at is None:
            self.solved_at = self.num_timesteps

    def _on_step(self) -> bool:
        return self.solved_at is None


callback = StopAt195()
callback.eval_env = make_vec_env("CartPole-v0", n_envs=5, seed=seed + 1000)
model = TRPO("MlpPolicy", make_vec_env("CartPole-v0", n_envs=8, seed=seed), n_steps=128, seed=seed, device="cpu")
model.learn(budget, callback=callback)
print("solved_at", callback.solved_at if callback.solved_at is not None else -1, model.num_timesteps)
"""


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def timed(argv: list[str], cwd: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=child_env(), capture_output=True, text=True, check=False)
    return proc, time.perf_counter() - start


def ours(seed: int, budget: int) -> tuple[int | None, float]:
    with tempfile.TemporaryDirectory(prefix="bench_trpo_") as tmp:
        proc, seconds = timed([sys.executable, "-m", "entry.serial_onpolicy", "-c", "cartpole_trpo_config.py",
                               "-s", str(seed), "--max-env-step", str(budget)], tmp)
    match = STOPPED.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"ding_lite seed {seed} failed:\n{proc.stdout}\n{proc.stderr}")
    return (int(match["envstep"].replace(",", "")) if "stop_value" in match["reason"] else None), seconds


def sb3(seed: int, budget: int) -> tuple[int | None, float]:
    with tempfile.TemporaryDirectory(prefix="bench_trpo_sb3_") as tmp:
        proc, seconds = timed([sys.executable, "-c", SB3_CHILD, str(seed), str(budget)], tmp)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("solved_at")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"sb3-contrib seed {seed} failed:\n{proc.stdout}\n{proc.stderr}")
    solved = int(line.split()[1])
    return (solved if solved >= 0 else None), seconds


def row(name: str, runs: list[tuple[int | None, float]], seeds: list[int]) -> str:
    inf = float("inf")
    steps = statistics.median([s if s is not None else inf for s, _ in runs])
    secs = statistics.median([t if s is not None else inf for s, t in runs])
    detail = ", ".join(f"{seed}: {'unsolved' if s is None else f'{s:,}'} {t:.1f}s" for seed, (s, t) in zip(seeds, runs))
    solved = sum(s is not None for s, _ in runs)
    return f"{name:<12} {solved}/{len(runs):<5} {steps:>17,.0f} {secs:>22.2f}   {detail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--max-env-step", type=int, default=300_000, help="give up after this many env steps")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"{'trainer':<12} {'solved':<7} {'median env steps':>17} {'median s launch->exit':>22}   runs (seed: steps, s)")
    print(row("ding_lite", [ours(s, args.max_env_step) for s in args.seeds], args.seeds), flush=True)
    try:
        import sb3_contrib  # noqa: F401
    except ImportError:
        print("sb3-contrib    skipped: not installed (pip install sb3-contrib)")
        return 0
    print(row("sb3-contrib", [sb3(s, args.max_env_step) for s in args.seeds], args.seeds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
