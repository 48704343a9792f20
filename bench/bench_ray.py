"""What Ray costs and buys on this machine, printed side by side in one run (never a timed test).

1. Many runs: --seeds seeds of the shipped CartPole PPO config (to stop_value) as ``ray_runs`` tasks on a
   local Ray, against the same runs one after another in this process; Ray's start-up, and per run the
   dispatch delay (submit -> task running) and the task's wall time against the run alone.
2. Env managers: env steps/s of 8 envs with random actions (no policy), 'sync', 'async' and 'ray' with
   1/2/4 actors, for CartPole-v0 and for CartPole with a 3 ms step (a stand-in for a slow simulator).
3. Recovery: a run's worker SIGKILLed right after a checkpoint; the time until Ray has the task running
   again, until the run is restored, and until its first eval past the checkpoint (at most 40 updates on).

Run: ``python bench/bench_ray.py [--seeds 8] [--vector-steps 400]`` (a few minutes on 2 cores).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)

from configs import SEARCH_PATH
from ding_lite.distributed import runs, task
from ding_lite.envs.managers import make_manager

SLOW_ID = "bench.bench_ray:SlowCartPole-v0"  # gymnasium imports the module first, in every process and actor
STEP_SECONDS = 0.003


class SlowStep(gym.Wrapper):
    def step(self, action):
        time.sleep(STEP_SECONDS)
        return self.env.step(action)


def _slow_cartpole(**kwargs) -> gym.Env:
    return SlowStep(gym.make("CartPole-v0", **kwargs).unwrapped)


if "SlowCartPole-v0" not in gym.registry:
    gym.register("SlowCartPole-v0", entry_point=_slow_cartpole, max_episode_steps=200)


def many_runs(n_seeds: int, base: Path) -> None:
    import ray

    seeds = list(range(n_seeds))
    t0 = time.perf_counter()
    runs.connect(num_cpus=os.cpu_count())
    startup = time.perf_counter() - t0
    specs = runs.plan("cartpole_ppo_config.py", seeds, None, SEARCH_PATH, base_dir=base / "ray")
    submitted = time.time()
    t0 = time.perf_counter()
    results = [r for _, r in runs.launch(specs)]
    on_ray = time.perf_counter() - t0
    t0 = time.perf_counter()
    alone = {}
    for spec in runs.plan("cartpole_ppo_config.py", seeds, None, SEARCH_PATH, base_dir=base / "serial"):
        start = time.perf_counter()
        task.execute(spec)
        alone[spec.seed] = time.perf_counter() - start
    serial = time.perf_counter() - t0
    cpus = int(ray.cluster_resources()["CPU"])
    print(f"\n1. {n_seeds} seeds of cartpole_ppo_config.py to stop_value, {cpus} CPUs")
    print(f"   ray.init (local cluster start-up)    {startup:6.1f} s   (once per ray_runs; joining a cluster ~1-2 s)")
    print(f"   ray_runs ({cpus} runs at a time)         {on_ray:6.1f} s")
    print(f"   one after another, in-process        {serial:6.1f} s   -> speed-up on Ray {serial / on_ray:.2f}x "
          f"({serial / (on_ray + startup):.2f}x counting start-up)")
    dispatch = [r["started"] - submitted for r in results]
    extra = [(r["finished"] - r["started"]) - alone[r["seed"]] for r in results]
    print(f"   per run: first task running {min(dispatch):.2f} s after submit (worker start-up); "
          f"task wall - run alone: median {np.median(extra):+.2f} s (2 runs share 2 cores)")
    for r in sorted(results, key=lambda r: r["seed"]):
        print(f"     seed {r['seed']}: {r['envstep']:>6,} env steps, {r['finished'] - r['started']:5.1f} s on Ray, "
              f"{alone[r['seed']]:5.1f} s alone")


def steps_per_second(env_id: str, manager: str, vector_steps: int, actors: int = 0) -> float:
    options = {"ray": {"num_actors": actors, "num_cpus": 0.25}}
    env = make_manager(env_id, 8, 0, manager, None, options)
    rng = np.random.default_rng(0)
    env.reset(0)
    actions = rng.integers(0, 2, (vector_steps, 8))
    for a in actions[:10]:
        env.step(a)
    t0 = time.perf_counter()
    for a in actions:
        env.step(a)
    elapsed = time.perf_counter() - t0
    env.close()
    return vector_steps * 8 / elapsed


def managers(vector_steps: int) -> None:
    print("\n2. env steps/s, 8 envs, random actions, no policy")
    cases = [("sync", "sync", 0), ("async", "async", 0)] + [(f"ray {n} actor(s)", "ray", n) for n in (1, 2, 4)]
    print(f"   {'manager':<16}{'CartPole-v0':>14}{'CartPole, 3 ms step':>22}")
    for label, manager, actors in cases:
        fast = steps_per_second("CartPole-v0", manager, vector_steps * 5, actors)
        slow = steps_per_second(SLOW_ID, manager, max(vector_steps // 4, 20), actors)
        print(f"   {label:<16}{fast:>14,.0f}{slow:>22,.0f}")


def recovery(base: Path) -> None:
    from ding_lite.pipeline.layout import newest_in_run

    spec, = runs.plan("cartpole_ppo_config.py", [0], {"env.stop_value": [1000]}, SEARCH_PATH, base_dir=base / "kill",
                      max_env_step=40960)
    spec.main["policy"]["learn"]["learner"]["hook"]["save_ckpt_after_iter"] = 40
    done: list = []
    thread = threading.Thread(target=lambda: done.extend(runs.launch([spec])))
    thread.start()
    log = spec.run_dir / "log" / "train.log"
    while not (log.exists() and "ray_runs: started" in log.read_text() and newest_in_run(spec.run_dir)):
        time.sleep(0.005)
    pid = int(log.read_text().split("ray_runs: started in pid ")[1].split()[0])
    os.kill(pid, signal.SIGKILL)
    killed = time.perf_counter()
    marks: dict[str, float] = {}
    while "eval" not in marks and thread.is_alive():
        text = log.read_text()
        if "ray_runs: resumed" in text:
            marks.setdefault("running", time.perf_counter())
        after = text.split("resumed from ", 1)
        if len(after) == 2:
            marks.setdefault("restored", time.perf_counter())
            resumed_at = int(after[1].split("train_iter=")[1].split()[0])
            if any(int(line.split("train_iter ")[1].split()[0]) > resumed_at
                   for line in after[1].splitlines() if "| eval return" in line):
                marks["eval"] = time.perf_counter()
        time.sleep(0.005)
    thread.join()
    print("\n3. recovery after SIGKILL of a run's worker (right after a checkpoint)")
    for key, label in (("running", "task running again"), ("restored", "run restored from its checkpoint"),
                       ("eval", "first eval past the checkpoint")):
        print(f"   {label:<34}{marks[key] - killed:6.2f} s after the kill")
    print(f"   the run then finished: {done[0][1]['stop_reason']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--vector-steps", type=int, default=400)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        many_runs(args.seeds, Path(tmp))
        managers(args.vector_steps)
        recovery(Path(tmp))


if __name__ == "__main__":
    main()
