"""Which of DI-engine's own zoo config files ding_lite's CLI runs unchanged, read from the DI-engine 0.5.3 wheel.

The repository holds only configs this project wrote; DI-engine's files are checked here, at bench time, straight
out of the released wheel. The wheel is fetched once with ``pip download di-engine==0.5.3 --no-deps`` into a cache
dir and read as a zip: di-engine is never installed (its pins would replace this env's torch). Every matching
``dizoo/`` file is written, byte for byte, into a fresh temporary directory and run there by the real CLI
(``python -m entry.serial_onpolicy`` for on-policy types, else ``entry.serial_offpolicy``) with a tiny
``--max-env-step`` and a per-file timeout. One row per file: file, policy type, env type, result and, for the rest,
the first line of what the CLI said; then the totals and the distinct reasons.

Results: ``runs`` (exit 0), ``refused`` (a clean ``error:`` from the CLI), ``crashed`` (anything else, e.g. a
traceback), ``timeout``. Patterns are :mod:`fnmatch` patterns over the wheel's member names, where ``*`` also
matches ``/``, so ``dizoo/classic_control/**/config/*_config.py`` includes ``config/parallel/``.

``--zoo`` selects the census of DI-engine's zoo whose simulators install here (classic_control, box2d, mujoco
and Atari's pong/qbert/spaceinvaders serial folders: 225 files) and ends with one row per folder (files that run
unchanged / refused / other) and the distinct refusal causes. ``--build-only`` checks each file in this process
instead of running it: everything the CLI does before its first env step (config compile, env ids, the envs with
the file's own manager, the policy, the shape checks), without the short training run, so it takes minutes where
a loaded machine needs hours for Atari's first evaluation; its rows say ``builds`` instead of ``runs``.
``--jobs N`` runs N files at a time.

With ``--solve`` each file instead trains until its own ``stop_value`` (or ``--max-env-step``) for every
``--seeds`` seed and the table shows, per seed, the env steps at which it stopped and the launch->exit seconds,
then the medians beside DI-engine 0.5.3's own env steps on this machine (seed 0, where measured).

Run:
    python bench/dizoo_compat.py                                          # classic_control: 59 files
    python bench/dizoo_compat.py --solve --seeds 0,1,2 --max-env-step 200000 --files cartpole_dqn,cartpole_c51
    python bench/dizoo_compat.py --glob 'dizoo/atari/**/config/*_config.py' --glob 'dizoo/mujoco/**/*_config.py'
    python bench/dizoo_compat.py --max-env-step 500 --timeout 300 --cache-dir /tmp/wheels
    python bench/dizoo_compat.py --zoo --build-only                       # the 225-file census, in minutes
    python bench/dizoo_compat.py --zoo --jobs 4 --timeout 900             # the same files, each run for 200 steps
"""
from __future__ import annotations

import argparse
import contextlib
import fnmatch
import io
import os
import re
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dizoo_report import Row, print_census, print_table

REPO = Path(__file__).resolve().parents[1]
VERSION = "0.5.3"
DEFAULT_GLOB = "dizoo/classic_control/**/config/*_config.py"
ZOO_GLOBS = ["dizoo/classic_control/*/config/*_config.py", "dizoo/box2d/*/config/*_config.py",
             "dizoo/mujoco/config/*_config.py",
             *(f"dizoo/atari/config/serial/{game}/*_config.py" for game in ("pong", "qbert", "spaceinvaders"))]
"""The census: the zoo folders whose simulators this project's extras install (225 files in 0.5.3)."""
DEFAULT_CACHE = Path.home() / ".cache" / "ding_lite" / "dizoo"
# DI-engine trains these with serial_pipeline_onpolicy; every other type goes through serial_pipeline.
ON_POLICY = {"ppo", "ppo_pg", "ppo_stdim", "pg", "a2c", "ppg", "trpo"}


DI_ENGINE_ENV_STEPS = {
    # DI-engine 0.5.3 on this 2-core machine, seed 0: env steps to stop_value (None: not reached)
    "cartpole_dqn": 1_016, "cartpole_c51": 6_200, "cartpole_qrdqn": 28_912, "cartpole_iqn": 38_880,
    "cartpole_rainbow": 14_344, "pendulum_dqn": 7_350, "acrobot_dqn": None,
    "pendulum_sac": 34_000, "pendulum_td3": 80_816, "pendulum_ddpg": 75_968, "pendulum_ppo": 48_000,
    "cartpole_sac": 74_648, "cartpole_a2c": 57_072, "cartpole_ppo_offpolicy": 15_312,
    "cartpole_ppg": None, "pendulum_a2c": None, "pendulum_pg": None,
}
STOP_RE = re.compile(r"reached stop_value \S+ at envstep ([\d,]+)")
BEST_RE = re.compile(r"best eval return\s+(-?[\d.]+)")
SPEED_RE = re.compile(r"train_iter ([\d,]+); this session ([\d,]+) in ([\d.]+) s")


def wheel_path(cache_dir: Path) -> Path:
    """The cached wheel, downloaded once: pip resolves the right file name, --no-deps keeps torch untouched."""
    found = sorted(cache_dir.glob(f"DI_engine-{VERSION}-*.whl"))
    if not found:
        cache_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"di-engine=={VERSION}", "--no-deps",
                        "-d", str(cache_dir)], check=True)
        found = sorted(cache_dir.glob(f"DI_engine-{VERSION}-*.whl"))
    if not found:
        raise SystemExit(f"pip download left no DI_engine-{VERSION}-*.whl in {cache_dir}")
    return found[0]


def config_members(wheel: Path, patterns: list[str]) -> dict[str, bytes]:
    """Matching files by their name inside the wheel, read without unpacking anything else."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if any(fnmatch.fnmatch(n, p) for p in patterns)]
        return {name: zf.read(name) for name in sorted(names)}


def describe(path: Path) -> tuple[str, str]:
    """(policy type, env type) from the file's create_config, the names DI-engine itself dispatches on.

    Executing the file is safe: its ``if __name__ == "__main__"`` block, the only part importing ``ding``, does
    not run under ``runpy.run_path``'s default run name.
    """
    try:
        module = runpy.run_path(str(path))
    except Exception as exc:  # noqa: BLE001 - reported in the row; the CLI then runs the file anyway
        return f"? ({type(exc).__name__})", "?"
    create = module.get("create_config") or {}
    return str((create.get("policy") or {}).get("type", "?")), str((create.get("env") or {}).get("type", "?"))


def first_error_line(stderr: str) -> str:
    """The CLI's own one-sentence ``error:`` line when it refused, else the exception line closing a traceback."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line
    return lines[-1] if lines else "(no output on stderr)"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def run_one(name: str, text: bytes, max_env_step: int, timeout: float) -> Row:
    """One file, unchanged, in its own temporary cwd so runs never share an experiment dir."""
    with tempfile.TemporaryDirectory(prefix="dizoo_compat_") as tmp:
        config = Path(tmp) / Path(name).name
        config.write_bytes(text)
        policy, env = describe(config)
        module = "entry.serial_onpolicy" if policy in ON_POLICY else "entry.serial_offpolicy"
        short = name.removeprefix("dizoo/")
        try:
            proc = subprocess.run([sys.executable, "-m", module, "-c", str(config), "--max-env-step",
                                   str(max_env_step)], cwd=tmp, env=child_env(), capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return Row(short, policy, env, "timeout", f"still running after {timeout:g} s")
    if proc.returncode == 0:
        return Row(short, policy, env, "runs", speed(proc.stdout))
    reason = first_error_line(proc.stderr)
    return Row(short, policy, env, "refused" if reason.startswith("error:") else "crashed", reason)


def build_one(name: str, text: bytes, max_env_step: int) -> Row:
    """Everything the CLI does before its first env step, in this process: compile, envs, policy, shape checks."""
    from configs import SEARCH_PATH
    from ding_lite.config import ConfigError
    from ding_lite.pipeline import load_pipeline

    short = name.removeprefix("dizoo/")
    with tempfile.TemporaryDirectory(prefix="dizoo_build_") as tmp:
        config = Path(tmp) / Path(name).name
        config.write_bytes(text)
        policy, env = describe(config)
        default = "ppo" if policy in ON_POLICY else "dqn"
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                pipeline = load_pipeline(str(config), SEARCH_PATH, max_env_step=max_env_step, base_dir=tmp,
                                         default_policy=default)
                pipeline.collector_env.close()
                pipeline.evaluator_env.close()
        except ConfigError as exc:
            return Row(short, policy, env, "refused", f"error: {exc}")
        except Exception as exc:  # noqa: BLE001 - a crash is a row of the census, not the end of it
            return Row(short, policy, env, "crashed", f"{type(exc).__name__}: {exc}".splitlines()[0])
    return Row(short, policy, env, "builds")


def solve_one(name: str, text: bytes, seed: int, max_env_step: int, timeout: float) -> tuple[int | None, float, str]:
    """(env steps at stop_value or None, launch->exit seconds, best eval return) of one unchanged file and seed."""
    with tempfile.TemporaryDirectory(prefix="dizoo_solve_") as tmp:
        config = Path(tmp) / Path(name).name
        config.write_bytes(text)
        policy, _ = describe(config)
        module = "entry.serial_onpolicy" if policy in ON_POLICY else "entry.serial_offpolicy"
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", module, "-c", str(config), "-s", str(seed), "--max-env-step",
                                   str(max_env_step)], cwd=tmp, env=child_env(), capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, timeout, "timeout"
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return None, wall, first_error_line(proc.stderr)
    stop, best = STOP_RE.search(proc.stdout), BEST_RE.search(proc.stdout)
    return (int(stop.group(1).replace(",", "")) if stop else None), wall, best.group(1) if best else "?"


def solve(members: dict[str, bytes], seeds: list[int], max_env_step: int, timeout: float) -> None:
    print(f"{'file':28} {'per seed: env steps (s) / best return':58} {'median steps':>12} {'DI-engine':>9} "
          f"{'median s':>8}", flush=True)
    for name, text in members.items():
        key = Path(name).stem.removesuffix("_config")
        results = [solve_one(name, text, seed, max_env_step, timeout) for seed in seeds]
        cells = [f"{steps:,} ({wall:.0f})" if steps else f"- ({wall:.0f}) {best}" for steps, wall, best in results]
        steps = [r[0] if r[0] is not None else float("inf") for r in results]
        median = statistics.median(steps)
        ref = DI_ENGINE_ENV_STEPS.get(key)
        print(f"{key:28} {' | '.join(cells):58} {median if median == float('inf') else f'{median:,.0f}':>12} "
              f"{ref or '-':>9} {statistics.median(r[1] for r in results):8.1f}", flush=True)


def speed(stdout: str) -> str:
    """Env steps/s and train iterations/s of the session, from the run summary (launch overheads excluded)."""
    found = SPEED_RE.search(stdout)
    if not found:
        return ""
    iters, steps, seconds = (float(g.replace(",", "")) for g in found.groups())
    return f"{steps / max(seconds, 1e-9):,.0f} env steps/s, {iters / max(seconds, 1e-9):,.1f} train iters/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glob", action="append", default=None, metavar="PATTERN",
                        help=f"wheel members to run (repeatable; default {DEFAULT_GLOB})")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where the wheel is kept")
    parser.add_argument("--max-env-step", type=int, default=200, help="horizon of each run")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per file before it counts as timeout")
    parser.add_argument("--solve", action="store_true", help="train each file to its stop_value, per seed")
    parser.add_argument("--seeds", default="0,1,2", help="with --solve: comma-separated seeds")
    parser.add_argument("--files", default=None, help="comma-separated stems (cartpole_dqn,...) to keep")
    parser.add_argument("--zoo", action="store_true", help="the 225-file census (ZOO_GLOBS) with per-folder totals")
    parser.add_argument("--build-only", action="store_true", help="check each file in-process up to its first step")
    parser.add_argument("--jobs", type=int, default=1, help="files run at a time")
    args = parser.parse_args()

    wheel = wheel_path(args.cache_dir)
    members = config_members(wheel, args.glob or (ZOO_GLOBS if args.zoo else [DEFAULT_GLOB]))
    if args.files:
        keep = {f"{stem}_config" for stem in args.files.split(",")}
        members = {n: t for n, t in members.items() if Path(n).stem in keep and "/parallel/" not in n}
    if not members:
        raise SystemExit(f"no member of {wheel.name} matches {args.glob or [DEFAULT_GLOB]}")
    if args.solve:
        solve(members, [int(s) for s in args.seeds.split(",")], args.max_env_step, args.timeout)
        return 0
    how = "built in-process up to the first step" if args.build_only else f"run with --max-env-step {args.max_env_step}"
    print(f"{wheel.name}: {len(members)} config files, each {how}", flush=True)
    sys.path.insert(0, str(REPO))

    def one(item: tuple[str, bytes]) -> Row:
        row = (build_one(item[0], item[1], args.max_env_step) if args.build_only
               else run_one(item[0], item[1], args.max_env_step, args.timeout))
        print(f"  {row.file}: {row.result}", file=sys.stderr, flush=True)
        return row

    if args.build_only or args.jobs <= 1:
        rows = [one(item) for item in members.items()]
    else:
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(one, members.items()))
    ok = "builds" if args.build_only else "runs"
    print_table(rows)
    print(f"\n{sum(r.result == ok for r in rows)} of {len(rows)} {'build' if args.build_only else 'run'} unchanged; "
          + ", ".join(f"{n} {result}" for result, n in Counter(r.result for r in rows).items() if result != ok))
    print_census(rows, ok)
    return 0


if __name__ == "__main__":
    sys.exit(main())
