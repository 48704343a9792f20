"""Why two ding_lite rows are below SB3's in the results table: each SB3 zoo setting that ding_lite has no key for,
switched off in SB3, beside ding_lite's row. Same seeds and budget as the table, scored as the table scores (the
final greedy policy over 20 fresh episodes).

- Pendulum-v1 PPO: the zoo explores with gSDE (generalized state-dependent exploration), which ding_lite has not.
- Acrobot-v1 A2C: the zoo wraps the env in VecNormalize (running obs and reward normalisation); ding_lite's A2C
  has neither.

    nice -n 5 python bench/zoo_ablations.py [--only pendulum_ppo|acrobot_a2c] [--seeds 0 1 2]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_jobs import run_ding_lite, run_sb3
from results_specs import ENVS, SB3_ZOO, all_rows

ABLATIONS = {
    # name: (algo, env, what the zoo setting is, how to switch it off in the zoo entry)
    "pendulum_ppo": ("ppo", "Pendulum-v1", "gSDE",
                     lambda n, norm, kw: (n, norm, {k: v for k, v in kw.items() if k not in ("use_sde", "sde_sample_freq")})),
    "acrobot_a2c": ("a2c", "Acrobot-v1", "VecNormalize", lambda n, norm, kw: (n, False, kw)),
}


def score(result: dict) -> float:
    return float(np.mean(result["final"]))


def compare(name: str, seeds: list[int]) -> None:
    """Train the three variants of one ablation on ``seeds`` and print a line each."""
    algo, env, setting, switch_off = ABLATIONS[name]
    budget, zoo = ENVS[env][0], SB3_ZOO[(algo, env)]
    ours = next(r for r in all_rows() if (r.framework, r.algo, r.env) == ("ding_lite", algo, env))
    runs = {
        f"SB3, zoo settings (with {setting})": lambda seed: run_sb3({"zoo": zoo}, algo, env, seed, budget),
        f"SB3, zoo settings without {setting}": lambda seed: run_sb3({"zoo": switch_off(*zoo)}, algo, env, seed,
                                                                     budget),
        f"ding_lite, zoo settings (no {setting})": lambda seed: run_ding_lite(ours.spec, env, seed, budget),
    }
    print(f"{env} {algo.upper()}, {budget:,} env steps, final greedy policy over 20 fresh episodes, seeds {seeds}",
          flush=True)
    for label, train in runs.items():
        scores = [score(train(seed)) for seed in seeds]
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
