"""Run the shipped configs in two source trees and compare the results bit for bit.

A restructure (moved modules, rewritten policies/models) must not change a single number. For each
(config, seed) this runs the real CLI once per tree, in a fresh working dir with PYTHONPATH=<tree>,
then compares the final iteration checkpoint (every tensor of ``policy``, ``train_iter``,
``envstep``; each tree decodes its own file with its own loader) and every TensorBoard scalar
except wall-clock ones. It prints one row per pair and exits 0 whatever it finds (a bench, not a
timed assertion), 1 if a run failed. Run from anywhere::

    python bench/compare_trees.py [--old /tmp/old] [--new DIR] [--seeds 0,1,2] [--configs a.py,b.py]
"""
from __future__ import annotations

import argparse
import os
import runpy
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

REPO = Path(__file__).resolve().parents[1]
# Long enough to train past a few checkpoints, short enough for a few seconds a run.
HORIZONS = {"cartpole_ppo_config.py": 4096, "pendulum_ppo_config.py": 4096,
            "cartpole_pg_config.py": 3000, "cartpole_dqn_config.py": 3000}
DEFAULT_HORIZON = 3000
# Policy types trained by entry.serial_offpolicy (DESIGN.md's Q-learning and off-policy families).
OFFPOLICY_TYPES = {"dqn", "c51", "qrdqn", "iqn", "rainbow", "ddpg", "td3", "sac", "sac_discrete", "ppo_offpolicy"}
WALL_CLOCK_WORDS = ("per_sec", "time", "wall")
# Runs under the tree being read: decodes the checkpoint with that tree's own loader and re-saves
# policy (grouped by its top-level key, leaves flattened to (name, tensor|repr)) as plain torch data.
DUMP_CHILD = """
import sys
import numpy as np
import torch
from ding_lite.utils.checkpoint_io import load_checkpoint

def leaf(v):
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().contiguous()
    try:
        if isinstance(v, (np.ndarray, np.generic)):
            return torch.from_numpy(np.ascontiguousarray(v))
        if type(v) in (bool, int, float):
            return torch.tensor(v)
    except (TypeError, RuntimeError):
        pass
    return repr(v)

def flat(v, name, out):
    if isinstance(v, dict):
        for k, x in v.items():
            flat(x, f"{name}.{k}" if name else str(k), out)
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            flat(x, f"{name}.{i}" if name else str(i), out)
    else:
        out.append((name, leaf(v)))
    return out

ckpt = load_checkpoint(sys.argv[1])
policy = ckpt.get("policy", {})
groups = {str(g): flat(v, "", []) for g, v in policy.items()} if isinstance(policy, dict) else {"": flat(policy, "", [])}
torch.save({"train_iter": leaf(ckpt.get("train_iter")), "envstep": leaf(ckpt.get("envstep")), "policy": groups},
           sys.argv[2])
"""


class RunFailed(Exception):
    """A CLI run or checkpoint dump did not produce what the comparison needs."""


def entry_module(config: Path) -> str:
    """Which CLI trains this config: read ``create_config.policy.type`` (else main_config's)."""
    ns = runpy.run_path(str(config))
    types = [(ns.get(name) or {}).get("policy", {}).get("type") for name in ("create_config", "main_config")]
    policy_type = next((t for t in types if t), "ppo")
    return "entry.serial_offpolicy" if policy_type in OFFPOLICY_TYPES else "entry.serial_onpolicy"


def run_tree(tree: Path, config: str, seed: int, horizon: int, cwd: Path) -> tuple[Path, float]:
    """Run the real CLI of ``tree`` in ``cwd``; return the experiment dir and the wall seconds."""
    path = tree / "configs" / config
    if not path.is_file():
        raise RunFailed(f"{path} does not exist")
    cwd.mkdir(parents=True)
    cmd = [sys.executable, "-m", entry_module(path), "-c", str(path), "-s", str(seed), "--max-env-step", str(horizon)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    exp_dirs = [p.parent for p in cwd.glob("*/ckpt")]
    if proc.returncode != 0 or len(exp_dirs) != 1:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise RunFailed(f"{' '.join(cmd)} (in {tree}) exited {proc.returncode}:\n{tail}")
    return exp_dirs[0], wall


def dump_checkpoint(tree: Path, exp_dir: Path) -> dict:
    """The highest-numbered iteration checkpoint of ``exp_dir``, decoded by ``tree``'s own loader."""
    ckpts = sorted(exp_dir.glob("ckpt/iteration_*.pth.tar"), key=lambda p: int(p.name.split("_")[1].split(".")[0]))
    if not ckpts:
        raise RunFailed(f"no iteration checkpoint in {exp_dir / 'ckpt'}")
    out = exp_dir.parent / "dump.pt"
    proc = subprocess.run([sys.executable, "-c", DUMP_CHILD, str(ckpts[-1]), str(out)], cwd=exp_dir.parent,
                          env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RunFailed(f"loading {ckpts[-1]} with {tree}'s loader failed:\n{proc.stderr.strip()[-800:]}")
    return torch.load(out, weights_only=True)


def same_leaf(a: Any, b: Any) -> bool:
    """Bit-identical: same type, dtype, shape and bytes (NaN equals NaN, -0.0 differs from 0.0)."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return (a.dtype == b.dtype and a.shape == b.shape
                and torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8)))
    return type(a) is type(b) and a == b


def value_of(leaf: Any) -> str:
    """A one-element tensor as its Python value, anything else as is (for the table)."""
    return repr(leaf.item()) if isinstance(leaf, torch.Tensor) and leaf.numel() == 1 else str(leaf)


def describe(leaf: Any) -> str:
    """Short form of a leaf for a mismatch message."""
    if isinstance(leaf, torch.Tensor):
        return f"{leaf.dtype} {list(leaf.shape)}" if leaf.numel() > 1 else f"{leaf.dtype} {leaf.item()!r}"
    return str(leaf)


def weight_difference(old: dict, new: dict) -> str | None:
    """First differing entry of two dumps; names are matched when equal, else by order within a group."""
    for key in ("train_iter", "envstep"):
        if not same_leaf(old[key], new[key]):
            return f"{key}: {describe(old[key])} vs {describe(new[key])}"
    old_groups, new_groups = old["policy"], new["policy"]
    for group in [*old_groups, *(g for g in new_groups if g not in old_groups)]:
        if group not in old_groups or group not in new_groups:
            return f"policy group {group!r} only in {'new' if group in new_groups else 'old'}"
        a, b = old_groups[group], new_groups[group]
        if sorted(n for n, _ in a) == sorted(n for n, _ in b):
            by_name = dict(b)
            pairs = [(name, name, leaf, by_name[name]) for name, leaf in a]
        elif len(a) != len(b):
            return f"policy.{group}: {len(a)} entries in old vs {len(b)} in new (names differ too)"
        else:
            pairs = [(na, nb, la, lb) for (na, la), (nb, lb) in zip(a, b)]
        for name_a, name_b, leaf_a, leaf_b in pairs:
            if not same_leaf(leaf_a, leaf_b):
                name = name_a if name_a == name_b else f"{name_a} (new: {name_b})"
                return f"policy.{group}.{name}: {describe(leaf_a)} vs {describe(leaf_b)}"
    return None


def read_scalars(exp_dir: Path) -> dict[str, list[tuple[int, bytes]]]:
    """Every non-wall-clock scalar tag of a run as (step, float bits) pairs, in file order."""
    acc = EventAccumulator(str(exp_dir / "log" / "serial"), size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.step, struct.pack("<d", e.value)) for e in acc.Scalars(tag)]
            for tag in acc.Tags()["scalars"] if not any(w in tag for w in WALL_CLOCK_WORDS)}


def scalar_difference(old: dict, new: dict) -> str | None:
    """First tag whose (step, value) list differs, or that only one run wrote."""
    for tag in sorted(set(old) | set(new)):
        if tag not in old or tag not in new:
            return f"tag {tag} only in {'new' if tag in new else 'old'}"
        if old[tag] != new[tag]:
            i = next((i for i, (x, y) in enumerate(zip(old[tag], new[tag])) if x != y), None)
            if i is None:
                return f"{tag}: {len(old[tag])} points in old vs {len(new[tag])} in new"
            (s_a, v_a), (s_b, v_b) = old[tag][i], new[tag][i]
            value_a, value_b = struct.unpack("<d", v_a)[0], struct.unpack("<d", v_b)[0]
            return f"{tag}[{i}]: step {s_a} value {value_a!r} vs step {s_b} value {value_b!r}"
    return None


def compare_pair(old_tree: Path, new_tree: Path, config: str, seed: int, horizon: int) -> tuple[list[str], list[str]]:
    """Run one (config, seed) in both trees back to back; return the table cells and mismatch notes."""
    with tempfile.TemporaryDirectory(prefix="compare_trees_") as tmp:
        old_exp, old_wall = run_tree(old_tree, config, seed, horizon, Path(tmp) / "old")
        new_exp, new_wall = run_tree(new_tree, config, seed, horizon, Path(tmp) / "new")
        old_dump, new_dump = dump_checkpoint(old_tree, old_exp), dump_checkpoint(new_tree, new_exp)
        old_scalars, new_scalars = read_scalars(old_exp), read_scalars(new_exp)
    weights, scalars = weight_difference(old_dump, new_dump), scalar_difference(old_scalars, new_scalars)
    iters = {value_of(old_dump["train_iter"]), value_of(new_dump["train_iter"])}
    n_tags = len(set(old_scalars) | set(new_scalars))
    cells = [config, str(seed), str(horizon), "/".join(sorted(iters)), "no" if weights else "yes",
             f"{'no' if scalars else 'yes'} ({n_tags} tags)", f"{old_wall:.1f}", f"{new_wall:.1f}"]
    return cells, [note for note in (weights, scalars) if note]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line; --configs defaults to every configs/*_config.py of the new tree."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, default=Path("/tmp/old"), help="reference tree (default: /tmp/old)")
    parser.add_argument("--new", type=Path, default=REPO, help="tree under test (default: this script's repo)")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default: 0,1,2)")
    parser.add_argument("--configs", default=None, help="comma-separated file names in configs/ (default: all)")
    parser.add_argument("--max-env-step", type=int, default=None, help="horizon for every config (default: per config)")
    args = parser.parse_args(argv)
    args.old, args.new = args.old.resolve(), args.new.resolve()
    args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    args.configs = ([c.strip() for c in args.configs.split(",") if c.strip()] if args.configs
                    else sorted(p.name for p in (args.new / "configs").glob("*_config.py")))
    return args


def main(argv: list[str] | None = None) -> int:
    """Compare every (config, seed); 0 whatever the verdict, 1 when a run could not be compared."""
    args = parse_args(argv)
    header = ["config", "seed", "horizon", "train_iter", "weights", "scalars", "old s", "new s"]
    widths = [max(24, *(len(c) for c in args.configs)), 4, 7, 10, 7, 14, 6, 6]
    print(f"old: {args.old}\nnew: {args.new}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)), flush=True)
    differing, failed, total = 0, False, 0
    for config in args.configs:
        horizon = args.max_env_step or HORIZONS.get(config, DEFAULT_HORIZON)
        for seed in args.seeds:
            total += 1
            try:
                cells, notes = compare_pair(args.old, args.new, config, seed, horizon)
            except RunFailed as exc:
                failed, differing = True, differing + 1
                print(f"{config.ljust(widths[0])}  {str(seed).ljust(4)}  RUN FAILED: {exc}", flush=True)
                continue
            differing += bool(notes)
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)), flush=True)
            for note in notes:
                print(f"    first difference: {note}", flush=True)
    print("ALL IDENTICAL" if differing == 0 else f"DIFFERENCES: {differing} of {total}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
