"""Time-to-solve: launch->exit wall seconds of the real CLI until the eval return reaches stop_value.

For each seed, the real command (``python -m entry.serial_onpolicy -c CONFIG -s SEED``) runs in a fresh
temporary directory and is timed from just before the launch to its exit; the env steps and train
iterations come from its last line. A second, instrumented run of the same seed (bench/phases.py: the
same module run as __main__ with timers around its phases) tells where the time goes. Medians over the
seeds are printed. The machine has 2 cores: the load average is printed so busy runs can be discounted.

Run:
    python bench/bench_time_to_solve.py                                   # shipped PPO config, 5 seeds
    python bench/bench_time_to_solve.py --module entry.serial_offpolicy -c cartpole_dqn_config.py
    python bench/bench_time_to_solve.py --manager sync                    # force an env manager
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STOPPED = re.compile(r"Stopped: (?P<reason>.*?) at envstep (?P<envstep>[\d,]+), train_iter (?P<iter>[\d,]+)")
PHASES = ("startup", "import", "config", "build", "setup", "collect", "gae", "learn", "eval", "checkpoint",
          "teardown", "exit")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def config_for(work: Path, config: str, manager: str | None) -> str:
    if manager is None:
        return config
    name = Path(config).stem
    path = work / f"{name}_{manager}.py"
    path.write_text(f"from configs.{name} import main_config, create_config\n"
                    f"main_config.env.manager = dict(type={manager!r})\n"
                    f"create_config.env_manager = dict(type={manager!r})\n")
    return str(path)


def run_once(module: str, config: str, seed: int, manager: str | None, instrumented: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="ttsolve_") as tmp:
        work = Path(tmp)
        cfg = config_for(work, config, manager)
        out = work / "phases.json"
        cmd = [sys.executable, "-m", module, "-c", cfg, "-s", str(seed)]
        if instrumented:
            cmd = [sys.executable, str(REPO / "bench" / "phases.py"), str(out), module, "-c", cfg, "-s", str(seed)]
        env = child_env()
        start = time.perf_counter()
        env["BENCH_LAUNCH"] = repr(time.time())
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"seed {seed} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        match = STOPPED.search(proc.stdout)
        result = {"wall": wall, "envstep": int(match["envstep"].replace(",", "")),
                  "train_iter": int(match["iter"].replace(",", "")), "reason": match["reason"]}
        if instrumented:
            data = json.loads(out.read_text())
            phases = data["phases"]
            phases["exit"] = wall - data["main_returned"]
            phases["other"] = wall - sum(phases.values())
            result.update(phases=phases, calls=data["calls"], env_manager=data["counters"].get("env_manager"))
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default="cartpole_ppo_config.py")
    parser.add_argument("--module", default="entry.serial_onpolicy")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--manager", default=None, help="override env.manager.type (default: the config's)")
    parser.add_argument("--no-phases", action="store_true", help="skip the instrumented runs")
    args = parser.parse_args()

    print(f"{args.module} -c {args.config} manager={args.manager or 'config'}; load before: {os.getloadavg()}")
    plain, timed = [], []
    for seed in args.seeds:
        r = run_once(args.module, args.config, seed, args.manager, instrumented=False)
        plain.append(r)
        line = f"seed {seed}: {r['wall']:5.2f} s launch->exit, {r['envstep']:6,} env steps, {r['train_iter']:5,} iters"
        if not args.no_phases:
            t = run_once(args.module, args.config, seed, args.manager, instrumented=True)
            timed.append(t)
            line += f" | instrumented {t['wall']:5.2f} s ({t['env_manager']})"
        print(line + ("" if "reached stop_value" in r["reason"] else f"  [NOT SOLVED: {r['reason']}]"), flush=True)
    walls = [r["wall"] for r in plain]
    steps = [r["envstep"] for r in plain]
    solved = sum("reached stop_value" in r["reason"] for r in plain)
    print(f"median launch->exit {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
          f"median env steps {statistics.median(steps):,.0f}; solved {solved}/{len(plain)}")
    if timed:
        print("where the time goes (median seconds over the instrumented runs):")
        for phase in (*PHASES, "other"):
            values = [t["phases"].get(phase, 0.0) for t in timed]
            print(f"  {phase:10s} {statistics.median(values):6.3f}")
        print(f"  {'total':10s} {statistics.median(t['wall'] for t in timed):6.3f}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
