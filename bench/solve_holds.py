"""Do the shipped configs' solves hold? Each config trains as shipped (seeded, stopping at its ``stop_value``),
then its best checkpoint (``ckpt_best.pth.tar``, the evaluation that "solved") plays 50 fresh greedy episodes.

A solve is the first small evaluation at or above ``stop_value``, i.e. the luckiest of many; the 50-episode mean
of the checkpoint it saved says whether the policy really is that good (the results table scores the same way).

    python bench/solve_holds.py                           # every CartPole and Pendulum config, seed 0
    python bench/solve_holds.py -c cartpole_c51_config.py --seeds 0 1 2
    python bench/solve_holds.py --all                     # also LunarLander, Hopper, Pong (hours here)

Prints one line per (config, seed): env steps and wall to the solve, the solving evaluation, the 50-episode mean
± std of the best checkpoint, and whether it holds (mean >= stop_value); then a summary line per config.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUICK = sorted(p.name for p in (REPO / "configs").glob("*_config.py")
               if p.name.startswith(("cartpole_", "pendulum_")))
SLOW = sorted(p.name for p in (REPO / "configs").glob("*_config.py") if p.name not in QUICK)
EPISODES = 50


def solve_and_score(config: str, seed: int, max_env_step: int | None) -> dict:
    from configs import SEARCH_PATH
    from ding_lite.config import load_config_file
    from ding_lite.pipeline import SerialPipeline
    from ding_lite.utils.checkpoint_io import load_checkpoint
    from ding_lite.worker.scoring import greedy_returns

    main, create, _ = load_config_file(config, SEARCH_PATH)
    main["policy"]["cuda"] = False
    with tempfile.TemporaryDirectory(prefix="solve_holds_") as tmp:
        start = time.perf_counter()
        pipeline = SerialPipeline(main, create, seed=seed, max_env_step=max_env_step, base_dir=tmp).run()
        wall = time.perf_counter() - start
        best = pipeline.run_dir / "ckpt" / "ckpt_best.pth.tar"
        ckpt = load_checkpoint(str(best))
        pipeline.policy.load_state_dict_learn(ckpt["policy"], restore_rng=False)
        returns = greedy_returns(pipeline.policy, pipeline.cfg["env"], EPISODES, seed)
    stop_value = pipeline.cfg["env"]["stop_value"]
    return {"config": config, "seed": seed, "solved": "reached stop_value" in pipeline.stop_reason,
            "envstep": pipeline.collector.envstep, "best_envstep": ckpt["envstep"], "wall": wall,
            "best_eval": pipeline.evaluator.best_return, "stop_value": stop_value,
            "mean": float(returns.mean()), "std": float(returns.std()), "holds": bool(returns.mean() >= stop_value)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", nargs="*", help="shipped config names (default: the quick ones)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    parser.add_argument("--all", action="store_true", help="also the configs that take hours here")
    parser.add_argument("--max-env-step", type=int, default=None, help="cap each run (default: as shipped)")
    args = parser.parse_args()
    configs = args.config or (QUICK + SLOW if args.all else QUICK)
    print(f"{'config':34s} seed  solved  env steps (best ckpt)  wall s  solving eval  "
          f"{EPISODES}-episode mean ± std  holds", flush=True)
    for config in configs:
        rows = []
        for seed in args.seeds:
            r = solve_and_score(config, seed, args.max_env_step)
            rows.append(r)
            print(f"{config:34s} {seed:4d}  {'yes' if r['solved'] else 'NO':6s}  {r['envstep']:>9,} ({r['best_envstep']:,})"
                  f"  {r['wall']:6.1f}  {r['best_eval']:12.1f}  {r['mean']:10.1f} ± {r['std']:6.1f}  "
                  f"{'holds' if r['holds'] else 'DOES NOT HOLD'} (stop_value {r['stop_value']})", flush=True)
        if len(rows) > 1:
            means = np.array([r["mean"] for r in rows])
            print(f"{config:34s} over seeds {args.seeds}: {EPISODES}-episode mean {means.mean():.1f} "
                  f"(lowest {means.min():.1f}), holds on {sum(r['holds'] for r in rows)}/{len(rows)}", flush=True)


if __name__ == "__main__":
    main()
