"""LunarLander-v3 PPO to a mean eval return of 200: ding_lite's shipped config against SB3's zoo PPO, one run.

For each seed, alternating, two fresh processes are timed from just before their launch to their exit:

* ding_lite: the real CLI, ``python -m entry.serial_onpolicy -c configs/lunarlander_ppo_config.py -s SEED
  --max-env-step BUDGET`` (it stops itself when an eval reaches ``env.stop_value`` = 200); the env steps
  come from its ``Stopped:`` line, which names the env steps collected when the winning eval ran (neither side evaluates
  after the training phase that crosses the budget).
* SB3: this file run with ``--sb3-child SEED BUDGET``: stable-baselines3's PPO with rl-baselines3-zoo's
  LunarLander-v2 hyperparameters (16 envs in a DummyVecEnv, n_steps 1024, batch 64, 4 epochs, gamma 0.999,
  GAE lambda 0.98, ent_coef 0.01, the rest SB3's defaults: lr 3e-4, clip 0.2, max_grad_norm 0.5, vf_coef
  0.5, a separate 64-64 tanh actor and critic) on LunarLander-v3.

Both evaluate at the same points: before training, then after each collect-and-train cycle (every 16,384
env steps), over the same number of greedy (argmax / ``deterministic=True``) episodes as the shipped config's
``env.n_evaluator_episode``, one episode at a time per eval env, and stop at the first eval whose mean
return is >= 200, or when BUDGET env steps have been collected. Eval time counts in both walls. Both use
one torch thread. The machine has 2 cores, shared: the load average is printed so busy runs can be
discounted. It prints, never asserts.

Measured on this machine (2 shared cores, load 1.3-4.1), seeds 0 / 1 / 2, env steps at the eval that reached 200
and seconds launch->exit:
    ding_lite  540,672 / 507,904 / 393,216 (median 507,904)   67.5 / 65.8 / 52.6 s (median 65.8 s)
    SB3 zoo    557,056 / 540,672 / 425,984 (median 540,672)   476.5 / 409.6 / 357.0 s (median 409.6 s)

Run:
    python bench/bench_lunarlander_ppo.py                       # seeds 0 1 2, budget 1.5M env steps
    python bench/bench_lunarlander_ppo.py --seeds 0 --budget 1000000
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
CONFIG = REPO / "configs" / "lunarlander_ppo_config.py"
STOPPED = re.compile(r"Stopped: (?P<reason>.*?) at envstep (?P<envstep>[\d,]+), train_iter (?P<iter>[\d,]+)")
SB3_DONE = re.compile(r"SB3 (?P<solved>solved|budget) at envstep (?P<envstep>\d+) eval (?P<ret>\S+) evals (?P<n>\d+)")
STOP_VALUE = 200.0
EVAL_SEED_OFFSET = 100_000
ZOO = dict(n_steps=1024, batch_size=64, gae_lambda=0.98, gamma=0.999, n_epochs=4, ent_coef=0.01)
ZOO_ENVS = 16


def n_eval_episodes() -> int:
    sys.path.insert(0, str(REPO))
    from configs.lunarlander_ppo_config import main_config
    return int(main_config.env.n_evaluator_episode)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=child_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def run_ding(seed: int, budget: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ll_ding_") as tmp:
        cmd = [sys.executable, "-m", "entry.serial_onpolicy", "-c", str(CONFIG), "-s", str(seed),
               "--max-env-step", str(budget)]
        wall, out = timed(cmd, Path(tmp))
    match = STOPPED.search(out)
    evals = re.findall(r"\| eval return (-?[\d.]+)", out)  # the progress lines, one per eval
    return {"wall": wall, "envstep": int(match["envstep"].replace(",", "")), "solved": "reached stop_value" in
            match["reason"], "last": float(evals[-1]) if evals else float("nan"), "evals": len(evals)}


def run_sb3(seed: int, budget: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ll_sb3_") as tmp:
        wall, out = timed([sys.executable, str(Path(__file__).resolve()), "--sb3-child", str(seed), str(budget)],
                          Path(tmp))
    match = SB3_DONE.search(out)
    return {"wall": wall, "envstep": int(match["envstep"]), "solved": match["solved"] == "solved",
            "last": float(match["ret"]), "evals": int(match["n"])}


def sb3_child(seed: int, budget: int) -> None:
    """SB3's zoo PPO on LunarLander-v3 until a mean greedy eval return of 200 or ``budget`` env steps."""
    import numpy as np
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    torch.set_num_threads(1)
    n_eval = n_eval_episodes()
    eval_env = make_vec_env("LunarLander-v3", n_envs=n_eval, seed=seed + EVAL_SEED_OFFSET)

    def evaluate(model: PPO) -> float:
        obs = eval_env.reset()
        done_once = np.zeros(n_eval, dtype=bool)
        returns = np.zeros(n_eval)
        while not done_once.all():
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, done, _ = eval_env.step(action)
            returns += reward * ~done_once
            done_once |= done
        return float(returns.mean())

    class EvalStop(BaseCallback):
        """Evaluates before each collect (so after each training phase, and once before any), as ding_lite does."""

        def __init__(self) -> None:
            super().__init__()
            self.reached_at: int | None = None
            self.last = float("nan")
            self.count = 0

        def _on_rollout_start(self) -> None:
            if self.reached_at is None:
                self.last = evaluate(self.model)
                self.count += 1
                print(f"envstep {self.num_timesteps} eval return {self.last:.1f}", flush=True)
                if self.last >= STOP_VALUE:
                    self.reached_at = self.num_timesteps

        def _on_step(self) -> bool:
            return self.reached_at is None

    env = make_vec_env("LunarLander-v3", n_envs=ZOO_ENVS, seed=seed)
    model = PPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0, **ZOO)
    callback = EvalStop()
    model.learn(total_timesteps=budget, callback=callback)
    if callback.reached_at is not None:
        print(f"SB3 solved at envstep {callback.reached_at} eval {callback.last:.1f} evals {callback.count}")
    else:
        print(f"SB3 budget at envstep {model.num_timesteps} eval {callback.last:.1f} evals {callback.count}")


def fmt(r: dict) -> str:
    steps = f"{r['envstep']:>9,}" if r["solved"] else f">{r['envstep']:>8,}"
    flag = "" if r["solved"] else f" NOT SOLVED (last eval {r['last']:.1f})"
    return f"{steps} env steps {r['wall']:7.1f} s ({r['evals']} evals){flag}"


def median_line(name: str, rows: list[dict]) -> str:
    solved = [r for r in rows if r["solved"]]
    if not solved:
        return f"{name:9s} solved 0/{len(rows)}"
    steps = statistics.median(r["envstep"] for r in rows)
    wall = statistics.median(r["wall"] for r in rows)
    note = "" if len(solved) == len(rows) else " (unsolved seeds counted at their budget)"
    return (f"{name:9s} solved {len(solved)}/{len(rows)}: median {steps:,.0f} env steps, median {wall:.1f} s "
            f"launch->exit{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=1_500_000, help="env steps per run before giving up")
    parser.add_argument("--sb3-child", type=int, nargs=2, metavar=("SEED", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sb3_child:
        sb3_child(*args.sb3_child)
        return

    import stable_baselines3

    print(f"LunarLander-v3 PPO to mean eval return >= {STOP_VALUE:g} over {n_eval_episodes()} greedy episodes, "
          f"budget {args.budget:,} env steps; ding_lite {CONFIG.relative_to(REPO)} vs SB3 "
          f"{stable_baselines3.__version__} zoo PPO {ZOO} x {ZOO_ENVS} envs; load before: {os.getloadavg()}",
          flush=True)
    ding, sb3 = [], []
    for seed in args.seeds:
        d = run_ding(seed, args.budget)
        ding.append(d)
        print(f"seed {seed}: ding_lite {fmt(d)}  load {os.getloadavg()[0]:.2f}", flush=True)
        s = run_sb3(seed, args.budget)
        sb3.append(s)
        print(f"seed {seed}: SB3 zoo   {fmt(s)}  load {os.getloadavg()[0]:.2f}", flush=True)
    print(median_line("ding_lite", ding))
    print(median_line("SB3 zoo", sb3))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
