"""Run directories: never shared, and 'newest' decided by names, never by modification times."""
import os

import pytest

from ding_lite.pipeline.layout import create_run_dir, resolve_resume, runs_of
from ding_lite.utils.checkpoint_io import CheckpointError, save_checkpoint


def test_runs_started_in_the_same_second_get_distinct_dirs(tmp_path):
    made = [create_run_dir("exp", tmp_path) for _ in range(4)]
    assert len(set(made)) == 4
    assert made[0].name == "exp"
    assert made[1].name.startswith("exp_") and made[2].name == made[1].name + "_2"


def _ckpt(run, iteration, mtime):
    (run / "ckpt").mkdir(parents=True, exist_ok=True)
    path = run / "ckpt" / f"iteration_{iteration}.pth.tar"
    save_checkpoint({"train_iter": iteration}, str(path))
    os.utime(path, (mtime, mtime))
    return path


def test_latest_is_newest_run_by_name_and_highest_iteration_not_mtime(tmp_path):
    old = tmp_path / "exp"
    new = tmp_path / "exp_261122_101500"
    newer = tmp_path / "exp_261122_101500_2"
    unrelated = tmp_path / "exp_seed1"
    _ckpt(old, 500, mtime=4_000_000_000)  # touched recently, but the oldest run
    _ckpt(new, 9, mtime=3_000_000_000)
    _ckpt(newer, 9, mtime=1_000_000_000)
    want = _ckpt(newer, 10, mtime=1_000_000)  # lexicographically before iteration_9, oldest mtime
    _ckpt(unrelated, 99, mtime=4_000_000_000)
    assert [p.name for p in runs_of("exp", tmp_path)] == ["exp", "exp_261122_101500", "exp_261122_101500_2"]
    assert resolve_resume("latest", "exp", tmp_path) == want
    assert resolve_resume(str(new), "exp", tmp_path).name == "iteration_9.pth.tar"


def test_latest_skips_a_newest_run_without_complete_checkpoints(tmp_path):
    want = _ckpt(tmp_path / "exp", 3, mtime=1_000_000)
    broken = tmp_path / "exp_261122_101500" / "ckpt"
    broken.mkdir(parents=True)
    (broken / "iteration_50.pth.tar").write_bytes(b"PK\x03\x04 half a file")
    skipped = []
    assert resolve_resume("latest", "exp", tmp_path, skipped) == want
    assert skipped == [str(broken / "iteration_50.pth.tar"), f"{broken.parent} (no complete checkpoint)"]


def test_nothing_to_resume_is_one_sentence(tmp_path):
    with pytest.raises(CheckpointError, match="--resume latest found no run of 'exp'"):
        resolve_resume("latest", "exp", tmp_path)
    with pytest.raises(CheckpointError, match="neither 'latest', 'auto', an experiment dir nor a checkpoint file"):
        resolve_resume(str(tmp_path / "typo"), "exp", tmp_path)


def test_auto_is_latest_or_nothing_to_resume(tmp_path):
    assert resolve_resume("auto", "exp", tmp_path) is None
    (tmp_path / "exp" / "ckpt").mkdir(parents=True)
    assert resolve_resume("auto", "exp", tmp_path) is None  # a run killed before any save: start anew
    want = _ckpt(tmp_path / "exp", 3, mtime=1_000_000)
    assert resolve_resume("auto", "exp", tmp_path) == want


def test_a_run_with_only_a_complete_best_checkpoint_resumes_from_it(tmp_path):
    ckpt = tmp_path / "exp" / "ckpt"
    ckpt.mkdir(parents=True)
    (ckpt / "iteration_50.pth.tar").write_bytes(b"PK\x03\x04 half a file")
    save_checkpoint({"train_iter": 0}, str(ckpt / "ckpt_best.pth.tar"))
    skipped = []
    assert resolve_resume("latest", "exp", tmp_path, skipped) == ckpt / "ckpt_best.pth.tar"
    assert skipped == [str(ckpt / "iteration_50.pth.tar")]
    (ckpt / "ckpt_best.pth.tar").write_bytes(b"PK\x03\x04 half a file")
    with pytest.raises(CheckpointError, match="no run of 'exp' with a complete checkpoint"):
        resolve_resume("latest", "exp", tmp_path)
