"""What the interrupt benches share: a DI-engine-format config, the CLI in its own process group, and the
bit-for-bit comparison of two runs (checkpoint state and TensorBoard scalars)."""
from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONPOLICY = "entry.serial_onpolicy"
EVAL_LINE = re.compile(r"^envstep [\d,]+ \| train_iter [\d,/]+ \| eval return")
CONFIG = """\
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='bench_interrupt',
    env=dict(stop_value=10000, collector_env_num=4, evaluator_env_num=2, n_evaluator_episode=2),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[16, 16]),
        collect=dict(n_sample=128, discount_factor=0.9, gae_lambda=0.95),
        learn=dict(epoch_per_collect=1, batch_size=64, learning_rate=1e-3,
                   learner=dict(hook=dict(save_ckpt_after_iter={save_every}))),
        eval=dict(evaluator=dict(eval_freq=8)),
    ),
))
create_config = EasyDict(dict(
    policy=dict(type='ppo'),
    env_manager=dict(type={manager!r}),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
"""
EXP = "bench_interrupt"


def write_config(directory: Path, manager: str, save_every: int = 100000) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench_interrupt_config.py"
    path.write_text(CONFIG.format(manager=manager, save_every=save_every))
    return path


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))


class Cli:
    """``python -m entry.serial_onpolicy ARGS`` in a new session; its output read by threads into one queue."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", ONPOLICY, *args], cwd=cwd, env=env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        self.text: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(s,), daemon=True)
                        for s in (self.proc.stdout, self.proc.stderr)]
        for reader in self.readers:
            reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.text.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, regex: re.Pattern, count: int = 1, guard: float = 600) -> bool:
        """True once ``count`` lines matched; False when the run's output ended first."""
        ended = 0
        while ended < 2:
            line = self.lines.get(timeout=guard)
            if line is None:
                ended += 1
            elif regex.search(line):
                count -= 1
                if count == 0:
                    return True
        return False

    def finish(self, guard: float = 600) -> tuple[int, str]:
        code = self.proc.wait(timeout=guard)
        for reader in self.readers:
            reader.join(timeout=guard)
        return code, "".join(self.text)


def run(cwd: Path, *args: str) -> tuple[int, str]:
    return Cli(cwd, *args).finish()


def final_checkpoint(run_dir: Path, train_iter: int) -> Path:
    return run_dir / "ckpt" / f"iteration_{train_iter}.pth.tar"


def _same(a, b) -> bool:
    import torch

    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    return a == b


def scalars(run_dir: Path) -> dict:
    """Every TensorBoard scalar (read by TensorBoard's own reader) except the wall-clock speeds."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(run_dir / "log" / "serial"), size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"] if "per_sec" not in tag}


def same_run(run_dir: Path, reference: Path, train_iter: int) -> str:
    """'yes' when weights, optimizers, counters, RNGs, env state and TensorBoard scalars all equal, else what
    differs first."""
    import torch

    got, want = (torch.load(final_checkpoint(d, train_iter), weights_only=True) for d in (run_dir, reference))
    for key in ("policy", "learner", "collector", "evaluator", "rng", "train_iter", "envstep"):
        if not _same(got[key], want[key]):
            return f"no ({key} differs)"
    return "yes" if scalars(run_dir) == scalars(reference) else "no (TensorBoard scalars differ)"
