"""DI-engine 0.5.3 itself against ding_lite, on the same unchanged DI-engine files, seeds and budgets.

``run`` trains each (file, seed) once per framework and appends one JSON line per run to ``OUT/results.jsonl``
(a rerun skips what is there, so a long bench can be stopped and continued); ``report`` prints the table.

* DI-engine runs in its own venv (``/work/shared/anchors/di-engine/install.sh VENV``) through
  ``run_dizoo.py MODULE --seed S --max-env-step B`` (its docstring says how each figure is taken): the file is
  DI-engine's own module, unchanged, through ``serial_pipeline`` / ``serial_pipeline_onpolicy``.
* ding_lite runs the same file's bytes, read at bench time from the DI-engine 0.5.3 wheel (never committed),
  written to a fresh temporary dir and trained by ``python -m entry.serial_{onpolicy,offpolicy} -c FILE -s S
  --max-env-step B`` with ``PYTHONPATH`` = the ding_lite tree under test (``--lite-tree``; default this repo).
* Scoring, the same for both: **env steps to stop_value** = the collector's env step at the evaluation that
  reached the file's ``stop_value`` (each framework's own evaluator: ``n_evaluator_episode`` greedy episodes every
  ``eval_freq`` train iterations), or the budget B when none did within it; **return at the budget** = the mean
  return of the last evaluation within B (for a solved run, the solving one: both stop there). Eval protocols
  differ in one way: DI-engine re-seeds eval env i with ``seed + i`` before every evaluation (the same start
  states each time); ding_lite seeds its eval envs once and continues their episodes.
* **launch->exit**: seconds from just before the interpreter starts to its exit, per run (both frameworks under
  the same load; the machine is shared, so absolute figures are pessimistic, env steps are exact).
* Per file: medians, the ratio of medians ding_lite / DI-engine for env steps (> 1: ding_lite needs more) with a
  90 % bootstrap interval (2,000 resamples of each side's seeds), and the two-sided Mann-Whitney U p-value
  (scipy's when installed, else the normal approximation with tie correction, numpy only).

Run (long: under ``nice -n 19`` in the background)::

    nice -n 19 python bench/fidelity.py run --out /tmp/fid --plan six --seeds 0-9
    nice -n 19 python bench/fidelity.py run --out /tmp/fid --plan others --seeds 0-2
    python bench/fidelity.py report /tmp/fid
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from fidelity_stats import bootstrap_ratio, mann_whitney_p

ANCHOR = Path("/work/shared/anchors/di-engine/run_dizoo.py")
WHEEL_GLOB = "DI_engine-0.5.3-*.whl"
ON_POLICY = {"ppo", "ppo_pg", "pg", "a2c", "ppg", "trpo", "ppo_stdim"}
# file stem -> env-step budget B (a few times DI-engine's own figures on this machine)
SIX = {"cartpole_dqn": 30_000, "cartpole_c51": 60_000, "cartpole_rainbow": 60_000, "cartpole_qrdqn": 100_000,
       "pendulum_td3": 150_000, "pendulum_ddpg": 150_000}
OTHERS = {"cartpole_ppo": 60_000, "cartpole_ppo_offpolicy": 60_000, "pendulum_dqn": 50_000,
          "cartpole_iqn": 100_000, "cartpole_a2c": 150_000, "cartpole_sac": 150_000, "pendulum_sac": 100_000,
          "pendulum_ppo": 200_000}
PLANS = {"six": SIX, "others": OTHERS}


def member(stem: str) -> str:
    env = stem.split("_")[0]
    return f"dizoo/classic_control/{env}/config/{stem}_config.py"


def wheel_file(stem: str, wheel_dir: Path) -> bytes:
    wheels = sorted(wheel_dir.glob(WHEEL_GLOB))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "di-engine==0.5.3", "--no-deps", "-d",
                        str(wheel_dir)], check=True)
        wheels = sorted(wheel_dir.glob(WHEEL_GLOB))
    with zipfile.ZipFile(wheels[0]) as zf:
        return zf.read(member(stem))


def policy_of(text: bytes) -> str:
    import runpy

    with tempfile.NamedTemporaryFile("wb", suffix=".py", delete=False) as fh:
        fh.write(text)
    try:
        return str(runpy.run_path(fh.name)["create_config"]["policy"]["type"])
    finally:
        os.unlink(fh.name)


def run_di(stem: str, seed: int, budget: int, venv: Path, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="fid_di_") as tmp:
        module = member(stem).removesuffix(".py").replace("/", ".")
        cmd = (f"T_LAUNCH=$(date +%s.%N) exec {venv}/bin/python {ANCHOR} {module} --seed {seed} "
               f"--max-env-step {budget} --timeout-s {timeout}")
        proc = subprocess.run(["bash", "-c", cmd], cwd=tmp, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"status": "crash", "error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    r = json.loads(lines[-1])
    last = r.get("last_eval") or [None, None, None]
    steps = last[1] if r["solved"] else budget
    return {"status": r["status"], "solved": r["solved"], "steps": steps, "final_return": r.get("final_eval"),
            "wall": r["launch_to_exit_s"], "envstep_end": r.get("envstep"), "error": r.get("error")}


def last_eval(run_dir: Path, budget: int) -> tuple[int | None, float | None]:
    """(env step, mean return) of the last evaluation within the budget, from the run's TensorBoard events."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(run_dir / "log" / "serial"), size_guidance={"scalars": 0})
    acc.Reload()
    points = [e for e in acc.Scalars("evaluator_step/reward_mean") if e.step <= budget]
    return (points[-1].step, float(points[-1].value)) if points else (None, None)


def run_lite(stem: str, seed: int, budget: int, tree: Path, wheel_dir: Path, timeout: float) -> dict:
    text = wheel_file(stem, wheel_dir)
    entry = "entry.serial_onpolicy" if policy_of(text) in ON_POLICY else "entry.serial_offpolicy"
    with tempfile.TemporaryDirectory(prefix="fid_lite_") as tmp:
        config = Path(tmp) / Path(member(stem)).name
        config.write_bytes(text)
        env = dict(os.environ, PYTHONPATH=str(tree))
        start = time.time()
        try:
            proc = subprocess.run([sys.executable, "-m", entry, "-c", str(config), "-s", str(seed), "--max-env-step",
                                   str(budget)], cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "wall": timeout}
        wall = time.time() - start
        if proc.returncode != 0:
            return {"status": "crash", "error": (proc.stderr.strip().splitlines() or ["no output"])[-1], "wall": wall}
        run_dir = next(p for p in Path(tmp).iterdir() if p.is_dir())
        step, ret = last_eval(run_dir, budget)
    solved = "reached stop_value" in proc.stdout
    return {"status": "ok", "solved": solved, "steps": step if solved else budget, "final_return": ret,
            "wall": round(wall, 2)}


def seeds_of(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def load(out: Path) -> list[dict]:
    path = out / "results.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def run(args: argparse.Namespace) -> None:
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    done = {(r["framework"], r["file"], r["seed"]) for r in load(out)}
    plan = PLANS[args.plan]
    frameworks = args.frameworks.split(",")
    for seed in seeds_of(args.seeds):  # seed rounds, so a stopped bench has every file at similar depth
        for stem, budget in plan.items():
            if args.files and stem not in args.files.split(","):
                continue
            for fw in frameworks:
                if (fw, stem, seed) in done:
                    continue
                if fw == "di":
                    result = run_di(stem, seed, budget, args.venv, args.timeout)
                else:
                    result = run_lite(stem, seed, budget, args.lite_tree, args.wheel_dir, args.timeout)
                row = {"framework": fw, "file": stem, "seed": seed, "budget": budget, **result,
                       "load1": round(os.getloadavg()[0], 2), "at": time.strftime("%H:%M:%S")}
                with open(out / "results.jsonl", "a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)


def report(out: Path) -> None:
    rows = [r for r in load(out) if r.get("status") == "ok"]
    bad = [r for r in load(out) if r.get("status") != "ok"]
    print(f"{len(rows)} finished runs ({len(bad)} crashed or timed out) in {out / 'results.jsonl'}")
    print("env steps to stop_value (unsolved = budget); ratio = ding_lite median / DI-engine median")
    head = (f"{'file':24} {'n di/lite':>9} {'solved':>7} {'DI med':>8} {'lite med':>8} {'ratio [90% CI]':>20} "
            f"{'U p':>6} {'ret DI':>7} {'ret lite':>8} {'wall DI':>7} {'wall lite':>9} {'w ratio':>7}")
    print(head)
    for stem in [*SIX, *OTHERS]:
        di = [r for r in rows if r["file"] == stem and r["framework"] == "di"]
        lite = [r for r in rows if r["file"] == stem and r["framework"] == "lite"]
        if not di or not lite:
            continue
        a = np.array([r["steps"] for r in di], float)
        b = np.array([r["steps"] for r in lite], float)
        ratio, lo, hi = bootstrap_ratio(b, a)
        p = mann_whitney_p(b, a)
        rets = [np.median([r["final_return"] for r in side if r["final_return"] is not None]) for side in (di, lite)]
        walls = [float(np.median([r["wall"] for r in side])) for side in (di, lite)]
        solved = f"{sum(r['solved'] for r in di)}/{sum(r['solved'] for r in lite)}"
        print(f"{stem:24} {len(di):>4}/{len(lite):<4} {solved:>7} {np.median(a):>8,.0f} {np.median(b):>8,.0f} "
              f"{ratio:>6.2f} [{lo:.2f}, {hi:.2f}] {p:>6.3f} {rets[0]:>7.1f} {rets[1]:>8.1f} {walls[0]:>7.1f} "
              f"{walls[1]:>9.1f} {walls[1] / walls[0]:>7.2f}")
    for r in bad:
        print(f"not finished: {r['framework']} {r['file']} seed {r['seed']}: {r.get('status')} {r.get('error') or ''}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--plan", choices=sorted(PLANS), default="six")
    r.add_argument("--seeds", default="0-9", help="'0-9' or '0,1,2'")
    r.add_argument("--files", default=None, help="comma-separated stems of the plan to keep")
    r.add_argument("--frameworks", default="di,lite")
    r.add_argument("--venv", type=Path, default=Path("/work/die-venv"))
    r.add_argument("--lite-tree", type=Path, default=REPO)
    r.add_argument("--wheel-dir", type=Path, default=Path.home() / ".cache" / "ding_lite" / "dizoo")
    r.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    p = sub.add_parser("report")
    p.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.cmd == "run":
        run(args)
    else:
        report(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
