"""Real faults for the e2e tests: a tiny config, an unwritable path, a small disk, waiting on files."""
from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

TINY = """\
from configs.cartpole_ppo_config import main_config, create_config
main_config.exp_name = '{exp_name}'
main_config.env.stop_value = 1e9  # never reached: runs stop on a horizon or are stopped
main_config.env.collector_env_num = 4
main_config.env.evaluator_env_num = 2
main_config.env.n_evaluator_episode = 2
main_config.policy.model.encoder_hidden_size_list = [16]
main_config.policy.model.actor_head_hidden_size = 16
main_config.policy.model.critic_head_hidden_size = 16
main_config.policy.collect.n_sample = 64
main_config.policy.learn.epoch_per_collect = 1
main_config.policy.learn.learner.hook.save_ckpt_after_iter = {save_every}
main_config.policy.learn.learner.max_ckpt_keep = {keep}
main_config.policy.eval.evaluator.eval_freq = 20
"""


def tiny_config(directory: Path, exp_name: str = "tiny", save_every: int = 10, keep: int = 5,
                extra: str = "") -> Path:
    path = directory / f"{exp_name}_config.py"
    path.write_text(TINY.format(exp_name=exp_name, save_every=save_every, keep=keep) + extra)
    return path


def wait_for(predicate, proc: subprocess.Popen | None = None, what: str = "", timeout: float = 120) -> None:
    """Poll a file-system condition; fail if the process ended first or it never came."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc is None or proc.poll() is None, f"the run ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def snapshot(root: Path) -> dict:
    """Every file under ``root`` with its inode, size and mtime: equal snapshots mean nothing changed."""
    return {p: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[str]:
    """``path`` (a file or dir) made unwritable for this process, also as root; yields the route taken.

    Root passes every permission check, so ``chattr +i`` (immutable) is tried first; an unprivileged
    runner gets ``chmod`` (its permission checks are real). A root without chattr support fails the test.
    """
    if subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True).returncode == 0:
        try:
            yield "chattr +i"
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    assert os.geteuid() != 0, f"root cannot make {path} unwritable: chattr +i failed on this file system"
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield "chmod"
    finally:
        path.chmod(mode)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "3m") -> Iterator[bool]:
    """A tmpfs of ``size`` mounted at ``path``; yields False (nothing mounted) where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             check=False, capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=True)
