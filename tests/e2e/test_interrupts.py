"""Real signals to real process groups: every stop saves, exits 75 and resumes; a lost env worker is one sentence."""
from __future__ import annotations

import os
import re
import shlex
import signal
from pathlib import Path

import pytest

from ding_lite.pipeline.layout import newest_in_run
from ding_lite.utils.checkpoint_io import load_checkpoint
from tests.e2e.conftest import run_cli
from tests.e2e.signals_helpers import Run, write_config
from tests.e2e.test_resume import assert_same_run, final_state

ONPOLICY = "entry.serial_onpolicy"
EVAL_LINE = r"^envstep [\d,]+ \| train_iter [\d,/]+ \| eval return"


def resume_args(out: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.startswith("Resume with: "))
    python, dash_m, module, *args = shlex.split(line.removeprefix("Resume with: "))
    assert (python, dash_m, module) == ("python", "-m", ONPOLICY)
    return args


@pytest.mark.parametrize("target", ["process", "group"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGUSR1], ids=lambda s: s.name)
@pytest.mark.parametrize("manager", ["subprocess", "base"])
def test_a_stop_signal_saves_says_how_to_resume_and_exits_75(tmp_path, manager, sig, target):
    run = Run(ONPOLICY, "-c", str(write_config(tmp_path, manager)), cwd=tmp_path)
    run.wait_for(EVAL_LINE, count=2)  # training is under way
    run.signal(sig, target)
    code, out, err = run.finish()
    assert code == 75, err
    assert "Traceback" not in out + err and f"received {sig.name}: finishing this step" in err
    assert f"stopped because   received {sig.name}" in out
    newest = newest_in_run(tmp_path / "interrupted")
    assert newest is not None and f"resume from       {newest}" in out
    saved = load_checkpoint(str(newest))
    assert f"train_iter {saved['train_iter']:,} (" in out  # the checkpoint holds the step the summary reports
    if target == "process":
        return  # resuming is the same for both targets: run it for the group signals only (suite time)
    resumed = run_cli(ONPOLICY, *resume_args(out), "--max-train-iter", str(saved["train_iter"] + 8), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed from {newest}" in (tmp_path / "interrupted" / "log" / "train.log").read_text()


@pytest.mark.parametrize("manager", ["subprocess", "base"])
def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, manager):
    """Weights, optimizer, counters, RNGs, the envs' state and every TensorBoard scalar, bit for bit ('base' with
    4 envs is the numpy-vectorised CartPole, whose observations come column-major)."""
    reference, interrupted = tmp_path / "reference", tmp_path / "interrupted"
    reference.mkdir()
    interrupted.mkdir()
    horizon = "64"
    done = run_cli(ONPOLICY, "-c", str(write_config(reference, manager)), "--max-train-iter", horizon,
                   cwd=reference)
    assert done.returncode == 0, done.stderr
    run = Run(ONPOLICY, "-c", str(write_config(interrupted, manager)), cwd=interrupted)  # no horizon: the
    run.wait_for(EVAL_LINE, count=2)  # signal, not the horizon, stops it (the assert below checks where)
    run.signal(signal.SIGINT, "group")  # a terminal's Ctrl-C
    code, out, err = run.finish()
    assert code == 75, err
    stopped_at = load_checkpoint(str(newest_in_run(interrupted / "interrupted")))["train_iter"]
    assert 0 < stopped_at < int(horizon)
    resumed = run_cli(ONPOLICY, *resume_args(out), "--max-train-iter", horizon, cwd=interrupted)
    assert resumed.returncode == 0, resumed.stderr
    kind = final_state(interrupted / "interrupted", horizon)["collector"]["env"]["kind"]
    assert kind == ("sync" if manager == "subprocess" else "vector")  # the envs' state was captured
    assert_same_run(interrupted / "interrupted", reference / "interrupted", horizon)


def test_a_killed_env_worker_is_one_sentence_and_the_last_checkpoint_stays(tmp_path):
    config = write_config(tmp_path, "subprocess", save_every=8)
    run = Run(ONPOLICY, "-c", str(config), cwd=tmp_path)
    run.wait_for(EVAL_LINE, count=2)
    log = (tmp_path / "interrupted" / "log" / "train.log").read_text()
    pids = [int(p) for p in re.search(r"env manager async \(one process per env, pids ([\d,]+)\)", log)[1].split(",")]
    assert newest_in_run(tmp_path / "interrupted") is not None
    os.kill(pids[2], signal.SIGKILL)
    code, out, err = run.finish()
    assert code == 1 and "Traceback" not in out + err
    lines = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, err
    assert re.fullmatch(rf"error: collector env 2 of 4 \(CartPole-v0, worker pid {pids[2]}\) died during \w+: "
                        r"killed by SIGKILL\. The run stopped; its newest complete checkpoint is .*iteration_\d+"
                        r"\.pth\.tar; resume with: python -m entry\.serial_onpolicy -c .* --resume .*", lines[0])
    newest = newest_in_run(tmp_path / "interrupted")
    assert str(newest) in lines[0]
    load_checkpoint(str(newest))
    resumed = run_cli(ONPOLICY, "-c", str(config), "--resume", "latest",
                      "--max-train-iter", str(load_checkpoint(str(newest))["train_iter"] + 8), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr


def test_a_second_ctrl_c_aborts_at_once_without_a_traceback(tmp_path):
    """The first Ctrl-C starts a long collect's end; the second, sent once the run said so, ends it now."""
    run = Run(ONPOLICY, "-c", str(write_config(tmp_path, "subprocess", n_sample=4_000_000)), cwd=tmp_path)
    run.wait_for(EVAL_LINE)  # the first evaluation is done: the (very long) first collect is under way
    run.signal(signal.SIGINT, "group")
    run.wait_for(r"received SIGINT: finishing this step")
    run.signal(signal.SIGINT, "group")
    code, out, err = run.finish()
    assert code == 130 and "Traceback" not in out + err
    assert "aborting without saving this step" in err
    # nothing was saved for the aborted step (the first evaluation's ckpt_best is all there is)
    assert not list((tmp_path / "interrupted" / "ckpt").glob("iteration_*"))
    assert "stopped: aborted by a second SIGINT" in (tmp_path / "interrupted" / "log" / "train.log").read_text()


def test_workers_leave_with_the_run(tmp_path: Path):
    """After a group SIGTERM no env worker keeps the run's output open (the readers reached its end)."""
    run = Run(ONPOLICY, "-c", str(write_config(tmp_path, "subprocess")), cwd=tmp_path)
    run.wait_for(EVAL_LINE)
    run.signal(signal.SIGTERM, "group")
    code, _, err = run.finish()
    assert code == 75, err
    assert not any(reader.is_alive() for reader in run._readers)
