"""Faults a real machine throws, through the real CLI: a second process on a run, a kill -9 lock, an unwritable
run dir, a full disk and the temp files a killed save leaves."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from ding_lite.utils.checkpoint_io import load_checkpoint
from tests.e2e.conftest import REPO, cli_env, run_cli, start_cli
from tests.e2e.fault_helpers import small_disk, snapshot, tiny_config, unwritable, wait_for

ONPOLICY = "entry.serial_onpolicy"


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def finished_run(tmp_path: Path, iters: str = "20", **kw) -> tuple[Path, Path]:
    config = tiny_config(tmp_path, **kw)
    done = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", iters, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return config, tmp_path / "tiny"


def test_resume_while_the_run_trains_is_refused_and_a_killed_holder_is_taken_over(tmp_path):
    config = tiny_config(tmp_path)
    run = tmp_path / "tiny"
    first = start_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "1000000", cwd=tmp_path)
    try:
        wait_for(lambda: list((run / "ckpt").glob("iteration_*.pth.tar")), first, "the first checkpoint")
        events = sorted((run / "log" / "serial").iterdir())
        before = {p: p.stat().st_ino for p in events}
        log_lines = (run / "log" / "train.log").read_text().count("resumed from")
        second = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", cwd=tmp_path)
        assert second.returncode == 2
        line = one_error_line(second)
        assert f"PID {first.pid} on host {socket.gethostname()}" in line and str(run) in line
        assert first.poll() is None  # still training, its live TensorBoard file not cut
        assert {p: p.stat().st_ino for p in events if p.exists()} == before
        assert (run / "log" / "train.log").read_text().count("resumed from") == log_lines
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    third = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", "1", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    took = [line for line in third.stdout.splitlines() if "took over the lock" in line]
    assert len(took) == 1 and f"PID {first.pid}" in took[0] and "no longer running" in took[0]
    assert not (run / "run.lock").exists()  # a clean end leaves no lock behind


def test_two_resumes_started_together_one_is_refused(tmp_path):
    config, run = finished_run(tmp_path)
    args = ("-c", str(config), "--resume", str(run), "--max-train-iter", "1000000")
    procs = [start_cli(ONPOLICY, *args, cwd=tmp_path) for _ in range(2)]
    try:
        wait_for(lambda: any(p.poll() is not None for p in procs), None, "one resume to be refused")
        refused = next(p for p in procs if p.poll() is not None)
        other = next(p for p in procs if p is not refused)
        _, err = refused.communicate()
        assert refused.returncode == 2, err
        assert f"is in use by PID {other.pid} on host" in err and "Traceback" not in err
        assert other.poll() is None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.communicate()


def test_unwritable_checkpoint_dir_log_or_base_dir_is_one_sentence_and_nothing_changes(tmp_path):
    config, run = finished_run(tmp_path)
    for target, named in ((run / "ckpt", "checkpoint dir"), (run / "log" / "train.log", "run log"),
                          (run, "experiment dir")):
        before = snapshot(tmp_path)
        with unwritable(target):
            proc = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", "40", cwd=tmp_path)
        assert proc.returncode == 2
        line = one_error_line(proc)
        assert f"{named} '{target}'" in line and "nothing was changed" in line, line
        assert snapshot(tmp_path) == before
    base = tmp_path / "base"
    base.mkdir()
    with unwritable(base):
        proc = run_cli(ONPOLICY, "-c", str(config), cwd=base)
    assert proc.returncode == 2
    assert f"'{base / 'tiny'}' cannot be created" in one_error_line(proc)
    assert list(base.iterdir()) == []


def test_full_disk_mid_run_is_one_sentence_keeps_the_newest_checkpoint_and_resumes(tmp_path):
    config = tiny_config(tmp_path, save_every=1, keep=0)
    disk = tmp_path / "disk"
    with small_disk(disk, "1m") as mounted:
        args = ("-c", str(config), "--max-train-iter", "400")
        if mounted:  # the real thing: a 1 MB tmpfs fills after about 18 checkpoints
            proc = run_cli(ONPOLICY, *args, cwd=disk)
        else:  # a runner that may not mount: ENOSPC raised at the 12th checkpoint write
            proc = subprocess.run([sys.executable, str(REPO / "tests/e2e/enospc_launcher.py"), "12", ONPOLICY, *args],
                                  cwd=disk, env=cli_env(), capture_output=True, text=True, timeout=240, check=False)
        assert proc.returncode == 1
        line = one_error_line(proc)
        assert "no space left on device while writing" in line
        newest = line.split("the newest complete checkpoint is ")[1].split("; resume with: ")[0]
        assert Path(newest).parent == disk / "tiny" / "ckpt"
        state = load_checkpoint(newest)  # complete
        assert state["train_iter"] > 0
        assert not [p for p in (disk / "tiny" / "ckpt").iterdir() if ".tmp." in p.name]
        assert line.endswith(f"; resume with: python -m {ONPOLICY} -c {config} --resume {disk / 'tiny'}")
        log = (disk / "tiny" / "log" / "train.log").read_text().splitlines()
        assert "no space left on device while writing" in log[-1]
        copy = tmp_path / "copy"
        subprocess.run(["cp", "-a", str(disk / "tiny"), str(copy)], check=True)
        if mounted:  # the disk filled to the last byte: a resume is refused before it changes anything
            subprocess.run(["dd", "if=/dev/zero", f"of={disk / 'filler'}", "bs=4k"], capture_output=True, check=False)
            before = snapshot(disk / "tiny")
            again = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", cwd=disk)
            assert again.returncode == 2
            assert f"experiment dir '{disk / 'tiny'}' is on a full device: nothing was changed." in one_error_line(again)
            assert snapshot(disk / "tiny") == before
    resumed = run_cli(ONPOLICY, "-c", str(config), "--resume", str(copy), "--max-train-iter",
                      str(state["train_iter"] + 2), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr


def test_a_partial_temp_file_of_a_killed_save_is_removed_at_the_next_start(tmp_path):
    config, run = finished_run(tmp_path)
    partial = run / "ckpt" / ".iteration_30.pth.tar.tmp.999999.abcd1234"
    partial.write_bytes(b"PK\x03\x04 half a checkpoint")
    proc = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest", "--max-train-iter", "21", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not partial.exists()
    assert "removed 1 partial checkpoint file(s)" in proc.stdout


def test_a_behaviour_changing_note_is_on_the_console_once_and_in_train_log(tmp_path):
    import torch

    config = tiny_config(tmp_path, extra="main_config.policy.cuda = True\n")
    proc = run_cli(ONPOLICY, "-c", str(config), "--max-train-iter", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    said = "policy.cuda=True, but no CUDA device is available: training on the CPU."
    expected = 0 if torch.cuda.is_available() else 1
    assert proc.stdout.count(f"note: {said}") == expected
    assert (tmp_path / "tiny" / "log" / "train.log").read_text().count(said) == expected
