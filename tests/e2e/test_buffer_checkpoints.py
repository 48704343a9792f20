"""The replay buffer in checkpoints from the real CLI: a kill -9 inside a segment write, a deleted segment (one
sentence, nothing changed), a checkpoint with an old-format buffer file, and the docs page's commands."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.pipeline.side_state import side_file
from ding_lite.utils.checkpoint_io import iteration_of
from tests.e2e.conftest import REPO, cli_env, run_cli, start_cli
from tests.e2e.test_old_checkpoints import rewrite
from tests.e2e.test_resume import assert_same_run, assert_same_tensors
from tests.e2e.test_resume_dqn import assert_only_listed_segments

OFFPOLICY = "entry.serial_offpolicy"
CONFIG = """\
from configs.cartpole_dqn_config import main_config, create_config
main_config.exp_name = 'buf'
main_config.env.stop_value = 1000
main_config.policy.learn.learner.hook.save_ckpt_after_iter = {every}
main_config.policy.learn.learner.max_ckpt_keep = 2
"""


def two_dirs(tmp_path: Path, every: int) -> tuple[Path, Path]:
    dirs = tmp_path / "straight", tmp_path / "broken"
    for work in dirs:
        work.mkdir()
        (work / "buf_config.py").write_text(CONFIG.format(every=every))
    return dirs


def stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] in "Tt"


def open_segments(pid: int) -> list[str]:
    """Segment files the (stopped) process has open: it is inside a segment write."""
    fds = Path(f"/proc/{pid}/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.endswith(".seg"):
            found.append(target)
    return found


def test_kill9_inside_a_segment_write_then_resume_latest_is_bit_identical(tmp_path):
    straight, broken = two_dirs(tmp_path, every=5)
    horizon = "402"  # a multiple of update_per_collect (6)
    assert run_cli(OFFPOLICY, "-c", "buf_config.py", "--max-train-iter", horizon, cwd=straight).returncode == 0
    proc = start_cli(OFFPOLICY, "-c", "buf_config.py", "--max-train-iter", horizon, cwd=broken)
    ckpt_dir = broken / "buf" / "ckpt"
    caught: list[str] = []
    while proc.poll() is None and not any(iteration_of(p.name) >= 30 for p in ckpt_dir.glob("iteration_*.pth.tar")):
        time.sleep(0.005)  # a few checkpoints first (saved every 6 iterations, two kept: a prune too)
    while not caught and proc.poll() is None:  # stop the run again and again until it is stopped mid-write
        proc.send_signal(signal.SIGSTOP)
        while proc.poll() is None and not stopped(proc.pid):
            time.sleep(0.0002)
        caught = open_segments(proc.pid)  # the segment file it is writing
        if not caught:
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.002)
    assert caught, "the run ended before a segment write was caught in progress"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    partial = Path(caught[0])
    listed = {s[0] for c in ckpt_dir.glob("*.pth.tar")
              for s in torch.load(c, weights_only=True)["side_state"]["replay_buffer"]["segments"]}
    assert partial.exists() and partial.name not in listed  # left behind, listed by no checkpoint
    resumed = run_cli(OFFPOLICY, "-c", "buf_config.py", "--resume", "latest", "--max-train-iter", horizon, cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert_only_listed_segments(broken / "buf")  # the partial file went (its name rewritten whole, or pruned)
    assert_same_run(broken / "buf", straight / "buf", horizon)  # the buffer's manifest and segments included


def test_a_deleted_segment_is_one_sentence_naming_it_and_its_checkpoint_and_changes_nothing(tmp_path):
    _, work = two_dirs(tmp_path, every=20)
    assert run_cli(OFFPOLICY, "-c", "buf_config.py", "--max-train-iter", "60", cwd=work).returncode == 0
    run = tmp_path / "broken" / "buf"
    ckpt = run / "ckpt" / "iteration_60.pth.tar"
    segment = run / "ckpt" / torch.load(ckpt, weights_only=True)["side_state"]["replay_buffer"][
        "segments"][0][0]
    segment.unlink()
    before = sorted((p, p.stat().st_mtime_ns, p.stat().st_size) for p in run.rglob("*"))
    resumed = run_cli(OFFPOLICY, "-c", "buf_config.py", "--resume", "latest", "--max-train-iter", "120",
                      cwd=work)
    assert resumed.returncode == 2
    assert resumed.stderr == (f"error: Replay buffer segment {segment}, needed by checkpoint {ckpt}, is missing; "
                              "resume from another checkpoint, or set policy.other.replay_buffer.save_with_ckpt=False "
                              "to resume with an empty buffer.\n")
    assert sorted((p, p.stat().st_mtime_ns, p.stat().st_size) for p in run.rglob("*")) == before


def load_buffer(run: Path, horizon: str) -> ReplayBuffer:
    ckpt = run / "ckpt" / f"iteration_{horizon}.pth.tar"
    buffer = ReplayBuffer(20000, (4,))
    buffer.load_segments(torch.load(ckpt, weights_only=True)["side_state"]["replay_buffer"],
                         str(run / "ckpt"), str(ckpt))
    return buffer


def test_a_checkpoint_with_an_old_format_buffer_file_resumes_bit_identically(tmp_path):
    straight, broken = two_dirs(tmp_path, every=30)
    assert run_cli(OFFPOLICY, "-c", "buf_config.py", "--max-train-iter", "180", cwd=straight).returncode == 0
    assert run_cli(OFFPOLICY, "-c", "buf_config.py", "--max-train-iter", "90", cwd=broken).returncode == 0
    run = broken / "buf"
    ckpt = run / "ckpt" / "iteration_90.pth.tar"
    load_buffer(run, "90").save(str(side_file(ckpt, "replay_buffer")))  # format 1: the whole buffer, one file
    rewrite(str(ckpt), lambda state: state.pop("side_state"))  # as written before incremental saves
    for path in (run / "ckpt" / "iteration_60.pth.tar", run / "ckpt" / "ckpt_best.pth.tar",
                 *(run / "ckpt").glob("*.seg")):  # nothing of the incremental format is left
        path.unlink(missing_ok=True)
    assert torch.load(side_file(ckpt, "replay_buffer"), weights_only=True)["format"] == "ding_lite.replay_buffer/1"
    resumed = run_cli(OFFPOLICY, "-c", "buf_config.py", "--resume", "latest", "--max-train-iter", "180", cwd=broken)
    assert resumed.returncode == 0, resumed.stderr
    assert f"replay buffer restored from {side_file(ckpt, 'replay_buffer')}" in (run / "log" / "train.log").read_text()
    got, want = (torch.load(r / "ckpt" / "iteration_180.pth.tar", weights_only=True) for r in (run, straight / "buf"))
    for key in ("policy", "learner", "collector", "evaluator", "rng", "envstep"):
        assert_same_tensors(got[key], want[key], key)
    a, b = load_buffer(run, "180"), load_buffer(straight / "buf", "180")
    assert_same_tensors(a.state_dict(), b.state_dict(), "replay_buffer")
    assert len(a) == want["envstep"]  # every transition collected (capacity 20,000)
    assert not side_file(ckpt, "replay_buffer").exists()  # pruned with its checkpoint


def doc_steps(text: str) -> list[tuple[str, str, list[str]]]:
    """``("file", name, lines)`` for a python block opening ``# NAME``, ``("run", command, shown lines)``."""
    steps, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        fence = re.fullmatch(r"```(\w+)", lines[i])
        i += 1
        if not fence:
            continue
        body = []
        while lines[i] != "```":
            body.append(lines[i])
            i += 1
        if fence[1] == "python" and body[0].startswith("# "):
            steps.append(("file", body[0][2:], body[1:]))
        for line in body if fence[1] == "console" else []:
            if line.startswith("$ "):
                steps.append(("run", line[2:], []))
            else:
                steps[-1][2].append(line)
    return steps


def shape(line: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "N", line)


def test_the_docs_page_commands_print_what_it_shows(tmp_path):
    doc = (REPO / "docs" / "replay_buffer.md").read_text()
    steps = doc_steps(doc)
    assert [s[1] for s in steps if s[0] == "run"][:2] == [
        "python -m entry.serial_offpolicy -c dqn_ckpt_config.py --max-train-iter 240", "ls dqn_ckpt/ckpt"]
    for kind, what, shown in steps:
        if kind == "file":
            (tmp_path / what).write_text("\n".join(shown) + "\n")
            continue
        argv = [sys.executable if a == "python" else a for a in shlex.split(what)]
        result = subprocess.run(argv, check=False, cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
                                timeout=240)
        assert result.returncode == 0, (what, result.stderr)
        printed = [shape(line) for line in (result.stdout + result.stderr).splitlines()]
        expected = [shape(line.replace("/tmp/docs", str(tmp_path))) for line in shown]
        if argv[0] == "ls":
            assert printed == expected, what
        else:
            assert all(line in printed for line in expected), (what, expected, printed)
