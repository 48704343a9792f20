"""Why two ding_lite rows are below SB3's in the results table: each SB3 zoo setting that ding_lite has no key for,
switched off in SB3, beside ding_lite's row. Same seeds and budget as the table, scored as the table scores (the
final greedy policy over 20 fresh episodes).

- Pendulum-v1 PPO: the zoo explores with gSDE (generalized state-dependent exploration), which ding_lite has not.
- Acrobot-v1 A2C: the zoo wraps the env in VecNormalize (running obs and reward normalisation); ding_lite
  normalises observations (obs_norm) but not rewards. SB3 runs with both, with observations only, and neither.

    nice -n 5 python bench/zoo_ablations.py [--only pendulum_ppo|acrobot_a2c] [--seeds 0 1 2]
"""
from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_jobs import run_ding_lite, run_sb3
from results_specs import ENVS, SB3_ZOO, all_rows

ABLATIONS = {
    # name: (algo, env, the zoo setting, [(label of SB3 without it, how to change the zoo entry)])
    "pendulum_ppo": ("ppo", "Pendulum-v1", "gSDE", [
        ("without gSDE", lambda n, norm, kw: (n, norm, {k: v for k, v in kw.items()
                                                         if k not in ("use_sde", "sde_sample_freq")}))]),
    "acrobot_a2c": ("a2c", "Acrobot-v1", "reward normalisation", [
        ("normalising observations only", lambda n, norm, kw: (n, "obs", kw)),  # as ding_lite's row
        ("without VecNormalize", lambda n, norm, kw: (n, False, kw))]),
}


def score(result: dict) -> float:
    return float(np.mean(result["final"]))


def compare(name: str, seeds: list[int]) -> None:
    """Train the three variants of one ablation on ``seeds`` and print a line each."""
    algo, env, setting, variants = ABLATIONS[name]
    budget, zoo = ENVS[env][0], SB3_ZOO[(algo, env)]
    ours = next(r for r in all_rows() if (r.framework, r.algo, r.env) == ("ding_lite", algo, env))
    entries = {f"with {setting}": zoo, **{label: change(*zoo) for label, change in variants}}
    runs = {f"SB3, zoo settings {label}": partial(run_sb3, {"zoo": entry}, algo, env, budget=budget)
            for label, entry in entries.items()}
    runs[f"ding_lite, zoo settings (no {setting})"] = partial(run_ding_lite, ours.spec, env, budget=budget)
    print(f"{env} {algo.upper()}, {budget:,} env steps, final greedy policy over 20 fresh episodes, seeds {seeds}",
          flush=True)
    for label, train in runs.items():
        scores = [score(train(seed=seed)) for seed in seeds]
        print(f"  {label:42s} {np.mean(scores):8.1f} ± {np.std(scores):6.1f}   per seed: "
              + ", ".join(f"{s:.1f}" for s in scores), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(ABLATIONS))
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    for name in args.only or ABLATIONS:
        compare(name, args.seeds)


if __name__ == "__main__":
    main()
