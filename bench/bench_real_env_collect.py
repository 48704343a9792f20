"""Real-env collector throughput against the bare env loop with the same forward, and the learn step of
DI-engine's pong_dqn network against the same network in Stable-Baselines3 (prints, never asserts).

Collect (8 envs, the shipped ``pong_dqn`` and ``hopper_sac`` configs, manager 'base', the policy's real
``collect_forward``; SAC's uniform warm-up is switched off so every step runs the actor): ``env only`` steps
fixed actions, ``bare loop`` is ``obs = env.step(policy.collect_forward(obs)['env_action']).obs``, ``collector``
is the pipeline's own collector with its report and hooks. Medians of ``--repeats`` interleaved measurements
(the loops are bench_collector.py's). Target: collector >= 0.8 x bare loop.

Learn step (batch 32, the shipped ``pong_dqn`` config: DI-engine's conv encoder [128, 128, 512], dueling head,
3-step TD, the buffer filled by the collector): ding_lite's sample + ``learn_step`` against SB3 2.x's
``DQN.train(gradient_steps=1, batch_size=32)`` on the *same* network (ding_lite's QNetwork as SB3's
features extractor with SB3's final layer removed, an SB3 replay buffer of random frames). Alternating calls,
median ms per update. ding_lite does DI-engine's double-Q update (the online net also runs on the 32 bootstrap
observations, in one pass of 64) and SB3's DQN does not, so ding_lite runs more network work per update. SB3 is skipped, said so, where ``import stable_baselines3`` fails.

Run:
    python bench/bench_real_env_collect.py                       # both parts
    python bench/bench_real_env_collect.py --managers base,env_pool --skip-learn   # gymnasium vs envpool
    python bench/bench_real_env_collect.py --steps 128 --repeats 3 --updates 50
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collector import bare_loop, collector_loop, env_only

from configs import SEARCH_PATH
from ding_lite.config import load_config_file

ENVS = 8
TASKS = {"PongNoFrameskip-v4": "pong_dqn_config.py", "Hopper-v5": "hopper_sac_config.py"}


def build(tmp: Path, config: str, n_sample: int, manager: str = "base"):
    from ding_lite.pipeline import SerialPipeline

    main, create, _ = load_config_file(config, SEARCH_PATH)
    main["policy"]["cuda"] = False
    main["env"].update(collector_env_num=ENVS, evaluator_env_num=1)
    main["policy"]["collect"]["n_sample"] = n_sample
    main["policy"]["random_collect_size"] = 0  # SAC: act with the actor from the first step
    main["exp_name"] = f"bench_{Path(config).stem}_{manager}"
    create = {**create, "env_manager": {"type": manager}}
    pipeline = SerialPipeline(main, create, base_dir=tmp)
    pipeline._open_run_dir()  # the real writer, hooks and collector, as in run()
    pipeline._wire()
    return pipeline


def close(pipeline) -> None:
    pipeline.writer.close()
    pipeline.log.close()
    pipeline.collector_env.close()
    pipeline.evaluator_env.close()


def collect_rows(tmp: Path, steps: int, repeats: int, managers: list[str]) -> None:
    print(f"{'task [manager]':30s} {'env only':>10s} {'bare loop':>10s} {'collector':>10s} {'collector/bare':>15s}"
          f"   (agent steps/s over {ENVS} envs, median of {repeats})")
    for (task, config), manager in ((t, m) for t in TASKS.items() for m in managers):
        pipeline = build(tmp, config, ENVS * 16, manager)
        env, act, collector = pipeline.collector_env, pipeline.policy.collect_forward, pipeline.collector
        collector.collect()  # warm-up: allocates the rollout arrays
        runs: dict[str, list[float]] = {"env": [], "bare": [], "collector": []}
        for _ in range(repeats):
            runs["env"].append(env_only(env, steps) if task.startswith("Pong") else hopper_env_only(env, steps))
            runs["bare"].append(bare_loop(env, act, steps))
            collector._obs = None  # fresh episodes, as the bare loop starts
            runs["collector"].append(collector_loop(collector, steps))
        med = {k: statistics.median(v) for k, v in runs.items()}
        ratios = [c / b for c, b in zip(runs["collector"], runs["bare"], strict=True)]
        print(f"{task + ' [' + manager + ']':30s} {med['env']:10,.0f} {med['bare']:10,.0f} {med['collector']:10,.0f} "
              f"{med['collector'] / med['bare']:15.2f}   (per-repeat ratios {min(ratios):.2f}-{max(ratios):.2f})",
              flush=True)
        close(pipeline)


def hopper_env_only(env, steps: int) -> float:
    """bench_collector's env_only with continuous zero actions (its own are CartPole's discrete ones)."""
    actions = np.zeros((env.num_envs, 3), dtype=np.float32)
    env.reset()
    start = time.perf_counter()
    for _ in range(steps):
        env.step(actions)
    return steps * env.num_envs / (time.perf_counter() - start)


def sb3_same_network(policy, updates: int):
    """SB3's DQN whose Q network is ding_lite's pong_dqn network (encoder + dueling head), or None."""
    try:
        import gymnasium as gym
        import torch
        from stable_baselines3 import DQN
        from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
    except ImportError as exc:
        print(f"SB3 side skipped: {exc} (pip install stable-baselines3)")
        return None
    from ding_lite.model.q_network import QNetwork

    model_cfg = policy.cfg["model"]

    class DingLiteQ(BaseFeaturesExtractor):
        def __init__(self, space: gym.Space) -> None:
            super().__init__(space, model_cfg["action_shape"])
            self.net = QNetwork(**model_cfg)

        def forward(self, obs: torch.Tensor) -> torch.Tensor:
            return self.net.q_values(obs)

    obs_space = gym.spaces.Box(0, 255, tuple(model_cfg["obs_shape"]), np.uint8)
    env = type("SpacesOnly", (gym.Env,), {"observation_space": obs_space,  # never stepped
                                           "action_space": gym.spaces.Discrete(model_cfg["action_shape"])})()
    learn = policy.cfg["learn"]
    model = DQN("CnnPolicy", env, learning_rate=learn["learning_rate"], buffer_size=5000, learning_starts=0,
                batch_size=32, gamma=policy.cfg["discount_factor"], target_update_interval=learn["target_update_freq"],
                policy_kwargs=dict(features_extractor_class=DingLiteQ, net_arch=[], normalize_images=True),
                device="cpu", seed=0)
    for q in (model.policy.q_net, model.policy.q_net_target):
        q.q_net = torch.nn.Identity()  # SB3's final Linear: the dueling head already gives Q values
    model.policy.q_net_target.load_state_dict(model.policy.q_net.state_dict())
    model.policy.optimizer = model.policy.optimizer_class(model.policy.q_net.parameters(), lr=learn["learning_rate"])
    rng = np.random.default_rng(0)
    for _ in range(max(updates, 1000)):
        frame = rng.integers(0, 256, (1, *obs_space.shape), dtype=np.uint8)
        model.replay_buffer.add(frame, frame, np.array([rng.integers(6)]), np.array([0.0]), np.array([False]), [{}])
    model._logger = _NullLogger()
    return model


class _NullLogger:
    def record(self, *args, **kwargs) -> None:
        pass


def learn_rows(tmp: Path, updates: int) -> None:
    pipeline = build(tmp, "pong_dqn_config.py", ENVS * 16)
    policy = pipeline.policy
    policy.cfg["learn"]["batch_size"] = 32
    data = None
    while data is None:  # fill the buffer past batch_size with real Pong frames
        data = policy.process_rollout(*pipeline.collector.collect())
    sb3 = sb3_same_network(policy, updates)
    ours, theirs = [], []
    batches = iter(())
    for _ in range(updates):
        start = time.perf_counter()
        batch = next(batches, None)
        if batch is None:
            batches = iter(policy.train_batches(data))
            batch = next(batches)
        policy.learn_step(batch)
        ours.append(time.perf_counter() - start)
        if sb3 is not None:
            start = time.perf_counter()
            sb3.train(gradient_steps=1, batch_size=32)
            theirs.append(time.perf_counter() - start)
    params = sum(p.numel() for p in policy.model.parameters())
    print(f"\npong_dqn learn step, batch 32 ({params:,} parameters), median of {updates} alternating updates:")
    print(f"  ding_lite  {statistics.median(ours) * 1e3:8.1f} ms/update")
    if theirs:
        ratio = statistics.median(theirs) / statistics.median(ours)
        print(f"  SB3 DQN    {statistics.median(theirs) * 1e3:8.1f} ms/update   (SB3 / ding_lite = {ratio:.2f})")
    close(pipeline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=128, help="vector steps per collect measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--updates", type=int, default=60, help="learn steps per side")
    parser.add_argument("--managers", default="base", help="comma-separated env managers, e.g. base,env_pool")
    parser.add_argument("--skip-collect", action="store_true")
    parser.add_argument("--skip-learn", action="store_true")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}; torch threads: {__import__('torch').get_num_threads()}")
    with tempfile.TemporaryDirectory(prefix="bench_real_env_") as tmp:
        if not args.skip_collect:
            collect_rows(Path(tmp), args.steps, args.repeats, args.managers.split(","))
        if not args.skip_learn:
            learn_rows(Path(tmp), args.updates)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
