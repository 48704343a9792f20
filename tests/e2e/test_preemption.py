"""What a preemptible cluster needs, through the real CLI: --resume auto both ways, time-based checkpoints that
resume bit for bit from any cycle end, a kill before the first periodic save resumed from ckpt_best, a damaged
newest checkpoint passed over on the console, and no checkpoint written twice."""
from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from configs import SEARCH_PATH
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline, state
from tests.e2e.conftest import run_cli, start_cli
from tests.e2e.fault_helpers import tiny_config, wait_for
from tests.e2e.test_resume import assert_same_run

ONPOLICY = "entry.serial_onpolicy"
HORIZON = "30"
TIMED = "main_config.policy.learn.learner.hook.save_ckpt_every_seconds = 1e-9  # every cycle end\n"


def train(config: Path, cwd: Path, *args: str) -> str:
    proc = run_cli(ONPOLICY, "-c", str(config), *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted run, no periodic save before its end."""
    base = tmp_path_factory.mktemp("reference")
    train(tiny_config(base, save_every=1000), base, "--max-train-iter", HORIZON)
    return base / "tiny"


def test_resume_auto_starts_the_run_then_resumes_it(tmp_path):
    config = tiny_config(tmp_path, save_every=1000)
    out = train(config, tmp_path, "--resume", "auto", "--max-train-iter", "5")
    assert "last_train_iter" not in out  # started, not restored
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["tiny"]
    out = train(config, tmp_path, "--resume", "auto", "--max-train-iter", "9")
    assert "last_train_iter     5" in out  # the restore table of the run it found
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["tiny"]  # no second run dir
    assert (tmp_path / "tiny" / "ckpt" / "iteration_9.pth.tar").exists()


def test_time_based_checkpoints_change_nothing_and_each_resumes_bit_for_bit(tmp_path, reference):
    config = tiny_config(tmp_path, save_every=1000, keep=0, extra=TIMED)
    train(config, tmp_path, "--max-train-iter", HORIZON)
    run = tmp_path / "tiny"
    saved = sorted(int(p.name.split("_")[1].split(".")[0]) for p in (run / "ckpt").glob("iteration_*.pth.tar"))
    assert saved == list(range(1, int(HORIZON) + 1))  # one per cycle end, none written by the iteration count
    assert_same_run(run, reference, HORIZON)  # taking them perturbed nothing
    for point in (7, 19):
        copy = tmp_path / f"from_{point}"
        shutil.copytree(run, copy)
        train(config, tmp_path, "--resume", str(copy / "ckpt" / f"iteration_{point}.pth.tar"),
              "--max-train-iter", HORIZON)
        assert_same_run(copy, reference, HORIZON)


def test_a_kill_before_the_first_periodic_save_resumes_from_ckpt_best(tmp_path, reference):
    config = tiny_config(tmp_path, save_every=1000)
    run = tmp_path / "tiny"
    proc = start_cli(ONPOLICY, "-c", str(config), "--max-train-iter", HORIZON, cwd=tmp_path)
    wait_for(lambda: (run / "ckpt" / "ckpt_best.pth.tar").exists(), proc, "the first best checkpoint")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not list((run / "ckpt").glob("iteration_*"))
    train(config, tmp_path, "--resume", "latest", "--max-train-iter", HORIZON)
    assert_same_run(run, reference, HORIZON)


def test_a_damaged_newest_checkpoint_is_passed_over_on_the_console(tmp_path):
    config = tiny_config(tmp_path, save_every=10)
    train(config, tmp_path, "--max-train-iter", "20")
    newest = tmp_path / "tiny" / "ckpt" / "iteration_20.pth.tar"
    newest.write_bytes(newest.read_bytes()[:1000])
    out = train(config, tmp_path, "--resume", "latest", "--max-train-iter", "21")
    line = next(line for line in out.splitlines() if "passed over" in line)
    assert str(newest) in line and "iteration_10.pth.tar" in line


def test_the_final_checkpoint_is_written_once_at_a_multiple_of_the_save_interval(tmp_path, monkeypatch):
    writes: list[str] = []
    save = state.save_checkpoint
    monkeypatch.setattr(state, "save_checkpoint", lambda obj, path: (writes.append(Path(path).name), save(obj, path)))
    main, create, _ = load_config_file(str(tiny_config(tmp_path, save_every=10)), SEARCH_PATH)
    SerialPipeline(main, create, max_train_iter=20, base_dir=tmp_path).run()
    iterations = [name for name in writes if name.startswith("iteration_")]
    assert iterations == ["iteration_10.pth.tar", "iteration_20.pth.tar"]
    SerialPipeline(main, create, max_train_iter=20, resume="latest", base_dir=tmp_path).run()  # at its horizon
    assert [name for name in writes if name.startswith("iteration_")] == iterations
