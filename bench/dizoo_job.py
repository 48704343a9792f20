"""One DI-engine 0.5.3 run for the results table, scored as the other frameworks are; runs in DI-engine's venv.

    DIE_VENV/bin/python bench/dizoo_job.py '{"module": "dizoo....cartpole_dqn_config", "seed": 0, "budget": 50000,
                                            "curve_points": 10, "curve_episodes": 5, "final_episodes": 20,
                                            "score_seed": 200000}'

DI-engine's own entry (``serial_pipeline`` or ``serial_pipeline_onpolicy``) trains the dizoo config unchanged but
for ``exp_name`` and ``env.stop_value`` (set out of reach, so every run uses the whole budget). Its eval-mode
policy is captured when the entry creates it; at each curve mark (checked after every collect) and at the end it
plays fresh greedy episodes on a new env from the config's own env class, each episode seeded
``score_seed + i``, with every global RNG saved and put back around it so training is not disturbed. Wall time
includes DI-engine's own evaluator (its ``eval_freq``), which cannot be taken out. Prints one JSON line.
"""
import json
import random
import sys
import time
from copy import deepcopy

import numpy as np
import torch

ONPOLICY = {"ppo", "ppo_pg", "pg", "a2c"}


def main(job: dict) -> dict:
    import importlib

    import ding.entry.serial_entry as off_entry
    import ding.entry.serial_entry_onpolicy as on_entry
    from ding.torch_utils import to_ndarray, to_tensor
    from ding.worker.collector import episode_serial_collector as esc
    from ding.worker.collector import sample_serial_collector as ssc

    torch.set_num_threads(1)
    mod = importlib.import_module(job["module"])
    main_cfg, create_cfg = deepcopy(mod.main_config), deepcopy(mod.create_config)
    main_cfg.exp_name = f"results_s{job['seed']}"
    main_cfg.env.stop_value = 10 ** 12
    captured = {}
    budget = job["budget"]
    marks = [budget * (i + 1) // job["curve_points"] for i in range(job["curve_points"])]
    curve, spent = [], [0.0]

    for entry in (off_entry, on_entry):
        original_setting, original_policy = entry.get_vec_env_setting, entry.create_policy

        def setting(cfg, *a, _orig=original_setting, **kw):
            env_fn, collector_cfg, evaluator_cfg = _orig(cfg, *a, **kw)
            captured["env"] = (env_fn, evaluator_cfg[0])
            return env_fn, collector_cfg, evaluator_cfg

        def policy(*a, _orig=original_policy, **kw):
            captured["policy"] = _orig(*a, **kw)
            return captured["policy"]

        entry.get_vec_env_setting, entry.create_policy = setting, policy

    def play(episodes: int) -> list:
        states = (random.getstate(), np.random.get_state(), torch.get_rng_state())
        env_fn, env_cfg = captured["env"]
        env = env_fn(cfg=env_cfg)
        eval_mode = captured["policy"].eval_mode
        returns = []
        for i in range(episodes):
            env.seed(job["score_seed"] + i, dynamic_seed=False)
            obs = env.reset()
            eval_mode.reset([0])
            total, done = 0.0, False
            while not done:
                out = eval_mode.forward({0: to_tensor(obs, dtype=torch.float32)})
                timestep = env.step(to_ndarray(out[0]["action"]))
                total += float(np.sum(timestep.reward))
                obs, done = timestep.obs, timestep.done
            returns.append(total)
        env.close()
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
        return returns

    for cls in (ssc.SampleSerialCollector, esc.EpisodeSerialCollector):
        def collect(self, *a, _orig=cls.collect, **kw):
            data = _orig(self, *a, **kw)
            while marks and self.envstep >= marks[0]:
                start = time.perf_counter()
                curve.append([int(self.envstep), float(np.mean(play(job["curve_episodes"])))])
                marks.pop(0)
                spent[0] += time.perf_counter() - start
            return data

        cls.collect = collect

    run = on_entry.serial_pipeline_onpolicy if create_cfg.policy.type in ONPOLICY else off_entry.serial_pipeline
    start = time.perf_counter()
    run((main_cfg, create_cfg), seed=job["seed"], max_env_step=budget)
    wall = time.perf_counter() - start - spent[0]
    final = play(job["final_episodes"])
    return {"curve": curve, "final": final, "train_wall_s": wall,
            "env_steps": curve[-1][0] if curve else None, "env_note": "DI-engine's own env (gym 0.25)"}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
