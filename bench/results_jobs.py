"""One results-table run (framework x algorithm x env x seed) in this process; prints one JSON line.

Every framework is scored the same way: at ``CURVE_POINTS`` evenly spaced env-step marks its greedy policy
plays ``CURVE_EPISODES`` fresh episodes (the learning curve), and at the budget the final greedy policy plays
``FINAL_EPISODES`` fresh episodes (the table's figure). The time spent in those evaluations is taken out of
``train_wall_s``. DI-engine runs in its own venv (``dizoo_job.py``); this module starts it there.

    python bench/results_jobs.py '{"framework": "ding_lite", "algo": "dqn", "env": "CartPole-v1", "seed": 0}'
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]
CURVE_POINTS = 10
CURVE_EPISODES = 5
FINAL_EPISODES = 20
SCORE_SEED = 200_000  # fresh episodes: apart from every framework's collector and evaluator seeds
from results_specs import merged  # after the sys.path line above

DIE_PYTHON = os.environ.get("DIE_PYTHON", "/work/die-venv/bin/python")


def marks(budget: int) -> list[int]:
    return [budget * (i + 1) // CURVE_POINTS for i in range(CURVE_POINTS)]


def run_ding_lite(spec: dict, env: str, seed: int, budget: int) -> dict:
    from configs import SEARCH_PATH
    from ding_lite.config import load_config_file
    from ding_lite.pipeline import SerialPipeline
    from ding_lite.worker.hooks import Hook
    from ding_lite.worker.scoring import greedy_returns

    main, create, _ = load_config_file(spec["config"], SEARCH_PATH)
    main = merged(main, spec["edits"])
    main = merged(main, {"env": {"stop_value": 10 ** 12}, "policy": {"eval": {"evaluator": {"eval_freq": 10 ** 9}}}})
    main["policy"]["cuda"] = False
    curve, todo, spent = [], marks(budget), [0.0]

    def point(ctx) -> None:
        while todo and ctx.envstep >= todo[0]:
            start = time.perf_counter()
            returns = greedy_returns(pipeline.policy, pipeline.cfg["env"], CURVE_EPISODES, seed)
            curve.append([int(ctx.envstep), float(returns.mean())])
            todo.pop(0)
            spent[0] += time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="results_") as tmp:
        pipeline = SerialPipeline(main, create, seed=seed, max_env_step=budget, base_dir=tmp)
        pipeline.register_hook("after_iter", Hook("curve", point))
        start = time.perf_counter()
        pipeline.run()
        wall = time.perf_counter() - start - spent[0]
        final = greedy_returns(pipeline.policy, pipeline.cfg["env"], FINAL_EPISODES, seed)
    return {"curve": curve, "final": final.tolist(), "train_wall_s": wall, "env_steps": pipeline.collector.envstep}


def _schedule(value):
    if isinstance(value, str) and value.startswith("lin_"):
        start = float(value[4:])
        return lambda progress: progress * start  # SB3's progress_remaining goes 1 -> 0
    return value


def run_sb3(spec: dict, algo: str, env: str, seed: int, budget: int) -> dict:
    import torch
    from sb3_contrib import QRDQN, TRPO
    from stable_baselines3 import A2C, DDPG, DQN, PPO, SAC, TD3
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.noise import NormalActionNoise
    from stable_baselines3.common.vec_env import VecNormalize

    torch.set_num_threads(1)
    classes = {"ppo": PPO, "a2c": A2C, "dqn": DQN, "qrdqn": QRDQN, "trpo": TRPO, "ddpg": DDPG, "td3": TD3, "sac": SAC}
    n_envs, normalize, kwargs = spec["zoo"]
    kwargs = {k: _schedule(v) for k, v in kwargs.items()}
    venv = make_vec_env(env, n_envs=n_envs, seed=seed)
    if normalize:  # True: the zoo's VecNormalize (observations and rewards); "obs": observations only
        venv = VecNormalize(venv, gamma=kwargs.get("gamma", 0.99), norm_reward=normalize != "obs")
    if "noise_std" in kwargs:
        n_act = venv.action_space.shape[0]
        kwargs["action_noise"] = NormalActionNoise(np.zeros(n_act), kwargs.pop("noise_std") * np.ones(n_act))
    model = classes[algo]("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **kwargs)

    def score(episodes: int) -> np.ndarray:
        eval_env = make_vec_env(env, n_envs=1, seed=seed + SCORE_SEED)
        if normalize:
            eval_env = VecNormalize(eval_env, training=False, norm_reward=False)
            eval_env.obs_rms = copy.deepcopy(venv.obs_rms)
        returns, _ = evaluate_policy(model, eval_env, n_eval_episodes=episodes, deterministic=True,
                                     return_episode_rewards=True)
        eval_env.close()
        return np.asarray(returns, dtype=float)

    curve, todo, spent = [], marks(budget), [0.0]

    class Curve(BaseCallback):
        def _on_step(self) -> bool:
            while todo and self.num_timesteps >= todo[0]:
                start = time.perf_counter()
                curve.append([int(self.num_timesteps), float(score(CURVE_EPISODES).mean())])
                todo.pop(0)
                spent[0] += time.perf_counter() - start
            return True

    start = time.perf_counter()
    model.learn(total_timesteps=budget, callback=Curve())
    wall = time.perf_counter() - start - spent[0]
    return {"curve": curve, "final": score(FINAL_EPISODES).tolist(), "train_wall_s": wall,
            "env_steps": int(model.num_timesteps)}


def run_dizoo(spec: dict, seed: int, budget: int) -> dict:
    """DI-engine's own pipeline in its venv, on its own (gym 0.25) envs; see dizoo_job.py."""
    with tempfile.TemporaryDirectory(prefix="dizoo_") as tmp:
        job = json.dumps({"module": spec["module"], "seed": seed, "budget": budget, "curve_points": CURVE_POINTS,
                          "curve_episodes": CURVE_EPISODES, "final_episodes": FINAL_EPISODES,
                          "score_seed": SCORE_SEED})
        out = subprocess.run([DIE_PYTHON, str(REPO / "bench" / "dizoo_job.py"), job], cwd=tmp, capture_output=True,
                             text=True, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"DI-engine run failed (exit {out.returncode}): {tail}")
    return json.loads(lines[-1])


def run_random(env: str, episodes: int = FINAL_EPISODES) -> dict:
    import gymnasium as gym

    returns = []
    e = gym.make(env)
    e.action_space.seed(SCORE_SEED)
    for i in range(episodes):
        e.reset(seed=SCORE_SEED + i)
        total, done = 0.0, False
        while not done:
            _, reward, terminated, truncated, _ = e.step(e.action_space.sample())
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return {"final": returns, "curve": [], "train_wall_s": 0.0, "env_steps": 0}


def run_job(job: dict) -> dict:
    from results_specs import ENVS, all_rows

    budget = job.get("budget") or ENVS[job["env"]][0]
    if job["framework"] == "random":
        result = run_random(job["env"])
    else:
        row = next(r for r in all_rows() if (r.framework, r.algo, r.env) == (job["framework"], job["algo"], job["env"]))
        if row.framework == "ding_lite":
            result = run_ding_lite(row.spec, row.env, job["seed"], budget)
        elif row.framework == "sb3":
            result = run_sb3(row.spec, row.algo, row.env, job["seed"], budget)
        else:
            result = run_dizoo(row.spec, job["seed"], budget)
    final = np.asarray(result["final"], dtype=float)
    return {**job, "budget": budget, **result, "final_mean": float(final.mean()), "status": "ok"}


if __name__ == "__main__":
    start = time.perf_counter()
    record = run_job(json.loads(sys.argv[1]))
    record["launch_wall_s"] = time.perf_counter() - start
    print(json.dumps(record), flush=True)
