"""The results table: ding_lite, Stable-Baselines3 2.9 (rl-baselines3-zoo settings) and DI-engine 0.5.3 on the
same envs at the same env-step budget, scored alike, written to docs/results.md with learning-curve PNGs.

    nice -n 19 python bench/results_table.py run [--env CartPole-v1 ...] [--skip-env Hopper-v5 ...]
    python bench/results_table.py report          # docs/results.md and docs/results/*.png from what finished

``run`` works through every (framework, algorithm, env, seed) job, cheapest envs first and seeds 0-2 of every
row before seeds 3-4, each in a fresh process (bench/results_jobs.py), appending one JSON line per finished or
failed job to docs/results/runs.jsonl and rewriting the page after each; run it again and it resumes where it
stopped (a job found in runs.jsonl is not run again; ``--retry-failed`` reruns failed ones). Several ``run``
processes may share the file when their ``--env`` selections do not overlap. The score of a run is its final
greedy policy's mean return over 20 fresh episodes; a row's figure is the mean ± std of that over its seeds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from results_specs import DIZOO_OTHER_ENV, ENVS, all_rows

OUT = REPO / "docs" / "results"
RUNS = OUT / "runs.jsonl"
PAGE = REPO / "docs" / "results.md"
ENV_ORDER = ["CartPole-v1", "Pendulum-v1", "Acrobot-v1", "LunarLander-v3", "LunarLanderContinuous-v3", "Hopper-v5",
             "HalfCheetah-v5"]
FRAMEWORKS = ["ding_lite", "sb3", "di-engine"]


def job_key(job: dict) -> tuple:
    return job["framework"], job.get("algo", ""), job["env"], job.get("seed", 0)


def load_runs() -> list[dict]:
    if not RUNS.exists():
        return []
    return [json.loads(line) for line in RUNS.read_text().splitlines() if line.strip()]


def plan(envs: list[str]) -> list[dict]:
    """Random baselines first, then seeds 0-2 of every row env by env, then the remaining seeds. Within an env and
    seed, the algorithms SB3 also has come first with the frameworks side by side (ding_lite, SB3, DI-engine), so a
    run cut short still compares like with like."""
    rows = [r for r in all_rows() if r.env in envs]
    shared = {(r.algo, r.env) for r in rows if r.framework == "sb3"}

    def order(row) -> tuple:
        return ((row.algo, row.env) not in shared, row.algo, FRAMEWORKS.index(row.framework))

    jobs = [{"framework": "random", "env": env, "seed": 0} for env in envs]
    for first_pass in (True, False):
        for env in envs:
            for seed in range(ENVS[env][1]):
                if (seed < 3) != first_pass:
                    continue
                jobs += [{"framework": r.framework, "algo": r.algo, "env": env, "seed": seed}
                         for r in sorted((r for r in rows if r.env == env), key=order)]
    return jobs


def run(args: argparse.Namespace) -> None:
    envs = [e for e in ENV_ORDER if (not args.env or e in args.env) and e not in (args.skip_env or [])]
    OUT.mkdir(parents=True, exist_ok=True)
    for job in plan(envs):
        done = {job_key(r): r["status"] for r in load_runs()}
        status = done.get(job_key(job))
        if status == "ok" or (status and not args.retry_failed):
            continue
        if args.framework and job["framework"] not in (*args.framework, "random"):
            continue
        if (args.seeds and job["seed"] not in args.seeds) or (args.algo and job.get("algo", "random") not in (
                *args.algo, "random")):
            continue
        if job["framework"] == "di-engine" and not Path(os.environ.get("DIE_PYTHON", "/work/die-venv/bin/python")).exists():
            continue
        start = time.time()
        print(f"{time.strftime('%H:%M:%S')} {job}", flush=True)
        out = subprocess.run([sys.executable, str(REPO / "bench" / "results_jobs.py"), json.dumps(job)],
                             capture_output=True, text=True, check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode == 0 and lines:
            record = json.loads(lines[-1])
        else:
            tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
            record = {**job, "status": "failed", "error": tail[:300]}
        record["finished_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        record["job_wall_s"] = round(time.time() - start, 1)
        record["load1_at_end"] = round(os.getloadavg()[0], 2)
        with open(RUNS, "a") as f:
            f.write(json.dumps(record) + "\n")
        print(f"  -> {record['status']} {record.get('final_mean', record.get('error'))}", flush=True)
        report()


def fmt(x: float) -> str:
    return f"{x:,.1f}"


def plot_env(env: str, groups: dict) -> str | None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = {k: [r["curve"] for r in runs if r.get("curve")] for k, runs in groups.items()}
    curves = {k: c for k, c in curves.items() if c}
    if not curves:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (framework, algo), runs in sorted(curves.items()):
        n = min(len(c) for c in runs)
        steps = np.array([p[0] for p in runs[0][:n]])
        values = np.array([[p[1] for p in c[:n]] for c in runs])
        mean, std = values.mean(0), values.std(0)
        style = {"ding_lite": "-", "sb3": "--", "di-engine": ":"}[framework]
        ax.plot(steps, mean, style, label=f"{framework} {algo} ({len(runs)} seeds)")
        ax.fill_between(steps, mean - std, mean + std, alpha=0.12)
    ax.set_xlabel("env steps")
    ax.set_ylabel("greedy return (5 fresh episodes)")
    ax.set_title(f"{env}: mean ± std over seeds")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    name = f"{env.lower().replace('-', '_')}.png"
    fig.savefig(OUT / name, dpi=80)
    plt.close(fig)
    return name


def report() -> None:
    runs = load_runs()
    ok = [r for r in runs if r["status"] == "ok"]
    failed = {job_key(r): r for r in runs if r["status"] == "failed"}
    lines = [
        "# Results: ding_lite against Stable-Baselines3 and DI-engine",
        "",
        ("Generated by `python bench/results_table.py report` from `docs/results/runs.jsonl` (written by "
        "`nice -n 19 python bench/results_table.py run`, which resumes where it stopped). Every run trains for the "
        "env's fixed env-step budget (no early stop); its score is the **final greedy policy's mean return over 20 "
        "fresh episodes** (seeded apart from training and evaluation); a row is the mean ± std of that score over "
        "its seeds, with the lowest and highest seed. Curves: the greedy return over 5 fresh episodes at 10 evenly "
        "spaced env-step marks. *Train wall* is the mean seconds of training per seed, curve evaluations taken out "
        "(DI-engine's own evaluator cannot be taken out of its figure)."),
        "",
        ("SB3 2.9 uses rl-baselines3-zoo's hyperparameters for the env (bench/results_specs.py names them); "
        "DI-engine 0.5.3 runs its own dizoo file unchanged except `exp_name` and `stop_value` (out of reach), in "
        "its own venv and on its own gym 0.25 env: its CartPole is CartPole-v0 (episodes end at 200 steps, not "
        "500), so its CartPole row is not comparable in value. Where SB3 has the algorithm on the env and the zoo's "
        "settings map onto ding_lite's keys (`ZOO_AS_DING_LITE` in bench/results_specs.py, with what does not map), "
        "the ding_lite row trains with the zoo's settings too, so the two rows compare implementations, not "
        "tunings. Other ding_lite rows use the shipped config for the env, or the algorithm's shipped "
        "CartPole/Pendulum config with only the env swapped in (no tuning): its other CartPole-v1 rows are "
        "CartPole-v0 configs (tuned to reach 200 fast, not to hold 500), its LunarLanderContinuous and "
        "HalfCheetah rows the Pendulum and Hopper configs."),
        "",
        ("**Machine:** 2 CPU cores, no GPU; several jobs ran at once (under `nice`, beside other work), so wall "
        "figures are pessimistic and vary with the load (each job's one-minute load average at its end is in "
        "runs.jsonl; frameworks compared on wall ran side by side, under the same load); env steps and returns "
        "are exact."),
        "",
    ]
    missing = []
    planned = plan(ENV_ORDER)
    for env in ENV_ORDER:
        budget, n_seeds = ENVS[env]
        rand = [r for r in ok if r["framework"] == "random" and r["env"] == env]
        rand_txt = f"{fmt(np.mean(rand[0]['final']))}" if rand else "not measured yet"
        groups: dict = {}
        for r in ok:
            if r["env"] == env and r["framework"] != "random":
                groups.setdefault((r["framework"], r["algo"]), []).append(r)
        lines += [f"## {env}", "", (f"Budget {budget:,} env steps per run, {n_seeds} seeds planned. "
                  f"Random policy: {rand_txt} (mean of 20 episodes)."), ""]
        if groups:
            png = plot_env(env, groups)
            sb3 = {algo: [r["final_mean"] for r in rs] for (fw, algo), rs in groups.items() if fw == "sb3"}
            lines += [("| algorithm | framework | final return (mean ± std) | lowest / highest seed | seeds | "
                      "train wall (s) | against SB3 |"), "|---|---|---|---|---|---|---|"]
            for (framework, algo) in sorted(groups, key=lambda k: (k[1], FRAMEWORKS.index(k[0]))):
                scores = np.array([r["final_mean"] for r in groups[(framework, algo)]])
                wall = np.mean([r["train_wall_s"] for r in groups[(framework, algo)]])
                versus = ""
                if framework == "di-engine" and env in DIZOO_OTHER_ENV:
                    versus = DIZOO_OTHER_ENV[env]
                elif framework != "sb3" and algo in sb3:
                    versus = ("within SB3's seed spread or better" if scores.mean() >= min(sb3[algo])
                              else f"below SB3's lowest seed ({fmt(min(sb3[algo]))})")
                lines.append(f"| {algo} | {framework} | {fmt(scores.mean())} ± {fmt(scores.std())} | "
                             f"{fmt(scores.min())} / {fmt(scores.max())} | {len(scores)}/{n_seeds} | {wall:,.0f} | "
                             f"{versus} |")
            lines += ["", f"![{env} learning curves](results/{png})" if png else "", ""]
        else:
            lines += ["No run of this env has finished yet.", ""]
        done = {job_key(r) for r in ok}
        absent: dict = {}
        for job in planned:
            if job["env"] == env and job["framework"] != "random" and job_key(job) not in done:
                why = failed.get(job_key(job), {}).get("error") or "not run: the background run had not reached it"
                absent.setdefault((job["framework"], job["algo"], why), []).append(str(job["seed"]))
        missing += [f"{env} {fw} {algo}, seeds {', '.join(seeds)}: {why}" for (fw, algo, why), seeds in absent.items()]
    notes = OUT / "notes.md"  # hand-written: what happened to the runs (the page is regenerated, the notes kept)
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    lines += ["## Missing runs", ""]
    lines += [f"- {m}" for m in missing] if missing else ["None."]
    PAGE.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["run", "report"])
    parser.add_argument("--env", nargs="*", help="only these envs")
    parser.add_argument("--skip-env", nargs="*", help="not these envs")
    parser.add_argument("--framework", nargs="*", choices=FRAMEWORKS, help="only these frameworks' runs")
    parser.add_argument("--algo", nargs="*", help="only these algorithms' runs")
    parser.add_argument("--seeds", nargs="*", type=int, help="only these seeds")
    parser.add_argument("--retry-failed", action="store_true")
    args = parser.parse_args()
    run(args) if args.command == "run" else report()


if __name__ == "__main__":
    main()
