"""Runs of the real CLI in their own process group, stopped by real signals when a line shows they got there."""
from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

from tests.e2e.conftest import cli_env

HANG_GUARD = 240.0
"""Seconds a run may go without printing the awaited line before the test gives up (a guard, never a measure)."""

DIZOO_FORMAT = """\
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='interrupted',
    env=dict(stop_value=10000, collector_env_num={envs}, evaluator_env_num=2, n_evaluator_episode=2),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[16, 16]),
        collect=dict(n_sample={n_sample}, discount_factor=0.9, gae_lambda=0.95),
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


def write_config(directory: Path, manager: str, *, envs: int = 4, n_sample: int = 128,
                 save_every: int = 100000) -> Path:
    """A DI-engine-format PPO CartPole file (module-level main_config/create_config, env_manager by type)."""
    path = directory / f"interrupted_{manager}_config.py"
    path.write_text(DIZOO_FORMAT.format(manager=manager, envs=envs, n_sample=n_sample, save_every=save_every))
    return path


class Run:
    """The CLI in a new session (its own process group, as a terminal job or a batch job has): ``signal`` sends to
    the main process or to the whole group; ``wait_for`` reads its output until a line matches."""

    def __init__(self, module: str, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=cwd, env=cli_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(stream, seen), daemon=True)
                         for stream, seen in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, seen: list[str]) -> None:
        for line in stream:
            seen.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, count: int = 1) -> str:
        """Read the output until ``count`` lines match ``pattern``; the run must still be going."""
        regex = re.compile(pattern)
        ended = 0
        while True:
            try:
                line = self.lines.get(timeout=HANG_GUARD)
            except queue.Empty:
                raise AssertionError(f"no output for {HANG_GUARD:.0f} s while waiting for {pattern!r}") from None
            if line is None:
                ended += 1
                assert ended < 2, f"the run ended before printing {pattern!r}:\n" + "".join(self.out + self.err)
            elif regex.search(line):
                count -= 1
                if count == 0:
                    return line

    def signal(self, sig: int, target: str) -> None:
        """``target`` 'process': the main process alone (``kill PID``); 'group': its process group, as a terminal's
        Ctrl-C, ``timeout``, ``kill -- -PGID``, SLURM and Kubernetes send it."""
        if target == "group":
            os.killpg(self.proc.pid, sig)
        else:
            os.kill(self.proc.pid, sig)

    def finish(self) -> tuple[int, str, str]:
        """(exit code, all stdout, all stderr) once the run has ended."""
        code = self.proc.wait(timeout=HANG_GUARD)
        for reader in self._readers:
            reader.join(timeout=HANG_GUARD)
        return code, "".join(self.out), "".join(self.err)
