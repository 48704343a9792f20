"""SAC learn step at batch 256: ms per update for ding_lite and Stable-Baselines3, side by side in one run.

Both learn on Pendulum-v1-shaped data (3 observations, 1 action) with the same networks (actor and two critics
of two 128-wide hidden layers), auto-tuned alpha, one thread, the CPU, and the same number of updates; each
side samples its own replay buffer of 50,000 random transitions inside the timed loop (SB3's ``train`` and
ding_lite's ``train_batches`` + ``learn_step`` each include their sampling). Then a profile of ding_lite's
update says where the time goes. Prints figures, asserts nothing.

    python bench/bench_sac_update.py [--updates 2000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH = 256
BUFFER = 50_000


def ding_lite_sac(updates: int):
    """A compiled shipped-config SAC policy with a full buffer, and a function running ``updates`` updates."""
    from configs import SEARCH_PATH
    from ding_lite.config.compile import compile_config
    from ding_lite.config.loader import load_config_file
    from ding_lite.pipeline.tree import pipeline_keys
    from ding_lite.policy.registry import get_policy_class

    main, create, _ = load_config_file("pendulum_sac_config.py", SEARCH_PATH)
    main["policy"]["learn"].update(batch_size=BATCH, update_per_collect=updates)
    main["policy"]["other"]["replay_buffer"]["replay_buffer_size"] = BUFFER
    cls = get_policy_class("sac")
    cfg = compile_config(main, create, pipeline_keys(cls))
    torch.manual_seed(0)
    policy = cls(cfg["policy"], seed=0)
    rng = np.random.default_rng(0)
    n_env = 8
    steps = BUFFER // n_env
    obs = rng.normal(size=(steps, n_env, 3)).astype(np.float32)
    policy.replay_buffer.push({
        "obs": obs, "final_obs": rng.normal(size=(steps, n_env, 3)).astype(np.float32),
        "action": rng.uniform(-1, 1, size=(steps, n_env, 1)).astype(np.float32),
        "reward": rng.normal(size=(steps, n_env)).astype(np.float32),
        "terminated": np.zeros((steps, n_env), bool), "truncated": np.zeros((steps, n_env), bool),
    })

    def run() -> None:
        for batch in policy.train_batches(policy.replay_buffer):
            policy.learn_step(batch)
    return policy, run


def sb3_sac(updates: int):
    """SB3's SAC with the same networks and a full buffer, and a function running ``updates`` gradient steps."""
    import gymnasium as gym
    from stable_baselines3 import SAC

    env = gym.make("Pendulum-v1")
    model = SAC("MlpPolicy", env, batch_size=BATCH, buffer_size=BUFFER, learning_starts=0, seed=0, device="cpu",
                policy_kwargs={"net_arch": [128, 128]}, verbose=0)
    rng = np.random.default_rng(0)
    buf = model.replay_buffer
    n = BUFFER
    buf.observations[:n, 0] = rng.normal(size=(n, 3)).astype(np.float32)
    buf.next_observations[:n, 0] = rng.normal(size=(n, 3)).astype(np.float32)
    buf.actions[:n, 0] = rng.uniform(-2, 2, size=(n, 1)).astype(np.float32)
    buf.rewards[:n, 0] = rng.normal(size=n).astype(np.float32)
    buf.dones[:n] = 0
    buf.full, buf.pos = True, 0
    model._logger = __import__("stable_baselines3.common.logger", fromlist=["configure"]).configure(None, [""])

    def run() -> None:
        model.train(gradient_steps=updates, batch_size=BATCH)
    return model, run


def timed(runs: dict, updates: int, repeats: int) -> dict[str, float]:
    """Best of ``repeats`` per side in ms per update, the sides alternating (so both see the same load)."""
    best = {name: float("inf") for name in runs}
    for run in runs.values():
        run()  # warm-up
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: 1000.0 * seconds / updates for name, seconds in best.items()}


def profile(run, top: int = 14) -> str:
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    _, ours = ding_lite_sac(args.updates)
    runs = {"ding_lite": ours}
    try:
        runs["SB3"] = sb3_sac(args.updates)[1]
    except ImportError:
        pass
    ms = timed(runs, args.updates, args.repeats)
    print(f"SAC learn step, batch {BATCH}, {args.updates} updates, best of {args.repeats} alternating runs, "
          f"1 thread, CPU (torch {torch.__version__})")
    print(f"  ding_lite   {ms['ding_lite']:7.3f} ms/update")
    if "SB3" not in ms:
        print("  SB3         not installed (pip install stable-baselines3)")
    else:
        import stable_baselines3

        print(f"  SB3 {stable_baselines3.__version__:7s} {ms['SB3']:7.3f} ms/update   "
              f"ding_lite/SB3 = {ms['ding_lite'] / ms['SB3']:.2f}")
    print("\nwhere ding_lite's time goes (cProfile, tottime):")
    print(profile(ours))


if __name__ == "__main__":
    main()
