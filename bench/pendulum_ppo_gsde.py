"""Why ding_lite's Pendulum-v1 PPO row is below SB3's in the results table: SB3's zoo settings explore with gSDE
(generalized state-dependent exploration), which ding_lite does not have. This trains, on the same seeds and the
table's 20,000-step budget, SB3 PPO with the zoo's settings, the same without gSDE, and ding_lite PPO with the
zoo's settings (all but gSDE), scored as the table scores (the final greedy policy over 20 fresh episodes).

    nice -n 5 python bench/pendulum_ppo_gsde.py [--seeds 0 1 2]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_jobs import run_ding_lite, run_sb3
from results_specs import ENVS, SB3_ZOO, all_rows

ENV = "Pendulum-v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    budget = ENVS[ENV][0]
    n_envs, normalize, zoo = SB3_ZOO[("ppo", ENV)]
    no_sde = {k: v for k, v in zoo.items() if k not in ("use_sde", "sde_sample_freq")}
    ours = next(r for r in all_rows() if (r.framework, r.algo, r.env) == ("ding_lite", "ppo", ENV))
    runs = {
        "SB3 PPO, zoo settings (gSDE)": lambda seed: run_sb3({"zoo": (n_envs, normalize, zoo)}, "ppo", ENV, seed, budget),
        "SB3 PPO, zoo settings without gSDE": lambda seed: run_sb3({"zoo": (n_envs, normalize, no_sde)}, "ppo", ENV,
                                                                   seed, budget),
        "ding_lite PPO, zoo settings (no gSDE)": lambda seed: run_ding_lite(ours.spec, ENV, seed, budget),
    }
    print(f"{ENV}, {budget:,} env steps, final greedy policy over 20 fresh episodes, seeds {args.seeds}")
    for label, train in runs.items():
        scores = [float(np.mean(train(seed)["final"])) for seed in args.seeds]
        print(f"{label:40s} {np.mean(scores):8.1f} ± {np.std(scores):6.1f}   per seed: "
              + ", ".join(f"{s:.1f}" for s in scores), flush=True)


if __name__ == "__main__":
    main()
