"""Experiment directories: naming new runs and finding the run and checkpoint to resume.

"Newest" is decided by the creation stamp in a run's name and by a checkpoint's iteration number,
never by file modification times (copies and backups change those).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from ding_lite.config.errors import ConfigError
from ding_lite.pipeline.writable import dir_fault
from ding_lite.utils.checkpoint_io import CheckpointError, is_complete, newest_checkpoint

CKPT_DIR, LOG_DIR, TB_SUBDIR = "ckpt", "log", "serial"
BEST_CKPT = "ckpt_best.pth.tar"
STAMP = re.compile(r"_(\d{6})_(\d{6})(?:_(\d+))?$")


def create_run_dir(exp_name: str, base: Path) -> Path:
    """``base/exp_name``, or ``exp_name_YYMMDD_HHMMSS[_k]`` when taken; mkdir is the atomic claim."""
    target = base / exp_name
    target.parent.mkdir(parents=True, exist_ok=True)
    candidates = [target]
    stamp = time.strftime("%y%m%d_%H%M%S")
    candidates += [target.with_name(f"{target.name}_{stamp}")]
    candidates += [target.with_name(f"{target.name}_{stamp}_{k}") for k in range(2, 1000)]
    for path in candidates:
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise ConfigError(f"could not create a new experiment dir next to '{target}': too many runs this second.")


def check_writable(path: Path, what: str = "experiment dir") -> None:
    """Find an unwritable location before any training starts or any file is made (by trying: see writable)."""
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{what} '{path}' cannot be created: '{probe}' is a file, not a directory.")
    fault = dir_fault(probe)
    if fault:
        raise ConfigError(f"{what} '{path}' cannot be created: '{probe}' {fault}.")


def run_order(run_dir: Path, exp_name: str) -> tuple[int, int]:
    """Creation order of a run from its name: the bare name is the first run of an exp_name."""
    suffix = run_dir.name[len(Path(exp_name).name):]
    if not suffix:
        return (0, 0)
    match = STAMP.fullmatch(suffix)
    return (int(match[1] + match[2]), int(match[3] or 1)) if match else (-1, 0)


def runs_of(exp_name: str, base: Path) -> list[Path]:
    """Run dirs of one exp_name, oldest first."""
    parent = (base / exp_name).parent
    name = Path(exp_name).name
    if not parent.is_dir():
        return []
    runs = [p for p in parent.iterdir()
            if p.is_dir() and p.name.startswith(name) and run_order(p, exp_name) >= (0, 0)]
    return sorted(runs, key=lambda p: run_order(p, exp_name))


def newest_in_run(run_dir: Path, skipped: list[str] | None = None) -> Path | None:
    """The highest complete iteration checkpoint; else a complete ``ckpt_best`` (a run killed before its first
    periodic save has one from its first evaluation, a point between cycles it can resume from exactly).
    Incomplete files passed over are appended to ``skipped``."""
    ckpt_dir = run_dir / CKPT_DIR
    if not ckpt_dir.is_dir():
        return None
    found = newest_checkpoint(str(ckpt_dir), skipped)
    if found:
        return Path(found)
    best = ckpt_dir / BEST_CKPT
    if is_complete(str(best)):
        return best
    if best.exists() and skipped is not None:
        skipped.append(str(best))
    return None


def resolve_resume(target: str, exp_name: str, base: Path, skipped: list[str] | None = None) -> Path | None:
    """'latest', 'auto', a run dir or a checkpoint file -> the checkpoint to resume from.

    'auto' is 'latest' for a job that may be starting or restarting: None (start the run) when this
    exp_name has no run with a complete checkpoint yet. Incomplete checkpoints (and runs without one)
    passed over on the way are appended to ``skipped``, for the console.
    """
    if target in ("latest", "auto"):
        for run in reversed(runs_of(exp_name, base)):
            ckpt = newest_in_run(run, skipped)
            if ckpt:
                return ckpt
            if skipped is not None:
                skipped.append(f"{run} (no complete checkpoint)")
        if target == "auto":
            return None
        raise CheckpointError(f"--resume latest found no run of '{exp_name}' with a complete checkpoint under '{base}'.")
    path = Path(target).expanduser()
    if path.is_dir():
        ckpt = newest_in_run(path, skipped)
        if ckpt is None:
            raise CheckpointError(f"--resume '{target}' is a directory without a complete checkpoint in its ckpt/ dir.")
        return ckpt
    if not path.exists():
        raise CheckpointError(f"--resume '{target}' is neither 'latest', 'auto', an experiment dir nor a checkpoint "
                              "file.")
    return path


def run_dir_of_checkpoint(ckpt: Path) -> Path:
    """A resumed run writes into the experiment that made the checkpoint."""
    ckpt = ckpt.resolve()
    if ckpt.parent.name != CKPT_DIR:
        raise CheckpointError(
            f"checkpoint '{ckpt}' is not inside an experiment's ckpt/ dir, so resume_training has no run to continue."
        )
    return ckpt.parent.parent


def eval_checkpoint(ckpt: str | None, resume: str | None, exp_name: str, load_path: str | None, base: Path) -> Path:
    """What the enjoy entry plays: ``--ckpt``, else ``--resume``'s best checkpoint, else the config's
    ``policy.load_path`` (DI-engine's eval entry reads it), else the newest run's best checkpoint."""
    if ckpt:
        return Path(ckpt)
    if resume is None and load_path:
        if not Path(load_path).is_file():
            raise CheckpointError(f"config key 'policy.load_path' names '{load_path}', which does not exist.")
        return Path(load_path)
    newest = resolve_resume(resume or "latest", exp_name, base)
    if newest is None:
        raise CheckpointError(f"no run of '{exp_name}' under '{base}' has a complete checkpoint to play.")
    best = newest.parent / BEST_CKPT
    if newest.parent.name != CKPT_DIR:
        raise CheckpointError(f"'{newest}' is not in an experiment's ckpt/ dir.")
    return best if best.exists() else newest
