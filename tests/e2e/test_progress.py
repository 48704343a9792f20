"""Console progress: plain lines in pipes and CI logs, one redrawn line on a terminal, a summary at the end."""
from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

from ding_lite.pipeline import progress
from ding_lite.pipeline.progress import Progress
from tests.e2e.conftest import cli_env, run_cli

EVAL_LINE = re.compile(r"envstep [\d,]+ \| train_iter [\d,]+/80 \| eval return [\d.]+ \(best [\d.]+\) \| .+")
CFG = {"max_env_step": 1000, "max_train_iter": None, "env": {"stop_value": 195}}


class Evaluator:
    last_return, best_return = 12.5, 20.0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_one_plain_line_per_eval_then_the_summary(workdir):
    result = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-train-iter", "80", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    summary = lines.index("Run summary:")
    assert len(lines[:summary]) == 2 and all(EVAL_LINE.fullmatch(line) for line in lines[:summary])  # iters 0, 40
    rows = dict(re.match(r"  (.+?)  +(.*)", line).groups() for line in lines[summary + 1:-1])
    run = workdir / "cartpole_ppo"
    assert rows["stopped because"] == "reached max_train_iter 80"
    assert rows["resume from"] == str(run / "ckpt" / "iteration_80.pth.tar")
    assert rows["best eval return"].endswith("(ckpt/ckpt_best.pth.tar)")
    assert rows["TensorBoard"] == f"tensorboard --logdir {run / 'log'}"
    assert lines[-1].startswith("Stopped: reached max_train_iter 80")


def test_terminal_gets_a_live_line_that_is_cleared_before_the_summary(tmp_path):
    config = tmp_path / "slow_eval_config.py"
    config.write_text("from configs.cartpole_ppo_config import main_config, create_config\n"
                      "main_config.env.stop_value = 1000\n"
                      "main_config.policy.eval.evaluator.eval_freq = 400\n")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "entry.serial_onpolicy", "-c", str(config), "--max-env-step", "2560"],
                            cwd=tmp_path, env={**cli_env(), "COLUMNS": "200"}, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while chunk := _read(leader):
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    out = b"".join(chunks).decode()
    live = re.findall(r"\renvstep [\d,]+/2,560 \| iter [\d,]+ \| eval [\d.]+ \(best [\d.]+\) \| [\d,]+ steps/s"
                      r" \| ETA [\dhms]+\x1b\[K", out)
    assert live  # ten collect-train cycles between the two evals: the line was redrawn in between
    assert "\r\x1b[KRun summary:" in out  # the live line was wiped, not left in front of the summary
    assert out.rstrip().splitlines()[-1].startswith("Stopped: reached max_env_step 2,560")


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the child closed the terminal
        return b""


def test_live_line_redraws_in_place_and_only_a_new_best_scrolls(monkeypatch):
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0.0)
    out, logged = Terminal(), []
    bar = Progress(CFG, 0, logged.append, stream=out)
    bar.update(40, 256)
    bar.eval_line(40, 256, Evaluator())  # the first evaluation is a new best
    worse = Evaluator()
    worse.last_return = 5.0
    bar.eval_line(80, 512, worse)
    bar.close()
    text = out.getvalue()
    assert text.startswith("\renvstep 256/1,000 | iter 40 | eval - | ")
    permanent = [line.rpartition("\r\x1b[K")[2] for line in text.split("\n")[:-1]]
    assert len(permanent) == 1
    assert permanent[0].startswith("envstep 256/1,000 | train_iter 40 | eval return 12.5 (best 20.0) | ")
    assert "\renvstep 512/1,000 | iter 80 | eval 5.0 (best 20.0) | " in text
    assert text.endswith("\r\x1b[K")
    assert len(logged) == 2 and logged[0] == permanent[0] and "eval return 5.0 (best 20.0)" in logged[1]


def test_without_a_terminal_a_long_silence_prints_a_plain_status_line(monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_SECONDS", 0.0)
    out = io.StringIO()
    bar = Progress({**CFG, "max_env_step": None}, 0, lambda line: None, stream=out)
    bar.update(40, 256)
    bar.close()
    assert re.fullmatch(r"envstep 256 \| iter 40 \| eval - \| until 195 \| [\d,]+ steps/s\n", out.getvalue())


def test_durations():
    assert [progress.format_duration(s) for s in (4.4, 65, 7260)] == ["4s", "1m05s", "2h01m"]
