"""Every bad checkpoint gets one sentence naming the file, fast, before anything is created or changed."""
from __future__ import annotations

import copy
import pickle
import shutil
import time
from pathlib import Path

import pytest
import torch

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint, save_checkpoint
from tests.e2e.conftest import run_cli

PWNED = Path("/tmp/ding_lite_pwned_marker")


class Exploit:
    def __reduce__(self):
        import os
        return (os.system, (f"touch {PWNED}",))


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("trained")
    main, create, _ = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    SerialPipeline(main, create, max_train_iter=40, base_dir=base).run()
    return base / "cartpole_ppo" / "ckpt" / "iteration_40.pth.tar"


def snapshot(root: Path) -> dict:
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def attempt(base: Path, ckpt: Path, resume: bool, model: dict | None = None) -> str:
    main, create, _ = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    main = copy.deepcopy(main)
    main["policy"]["learn"]["learner"]["hook"]["load_ckpt_before_run"] = str(ckpt)
    main["policy"]["learn"]["resume_training"] = resume
    if model:
        main["policy"]["model"].update(model)
    before = snapshot(base)
    start = time.perf_counter()
    with pytest.raises((CheckpointError, ConfigError)) as info:
        SerialPipeline(main, create, base_dir=base)
    assert time.perf_counter() - start < 3.0
    assert snapshot(base) == before  # nothing created or changed
    message = str(info.value)
    assert "\n" not in message
    return message


def broken_files(tmp_path: Path, trained: Path) -> dict[str, Path]:
    good = trained.read_bytes()
    files = {}
    files["truncated"] = tmp_path / "truncated.pth.tar"
    files["truncated"].write_bytes(good[: len(good) // 2])
    files["random"] = tmp_path / "random.pth.tar"
    files["random"].write_bytes(bytes(range(256)) * 40)
    files["text"] = tmp_path / "notes.pth.tar"
    files["text"].write_text("these are not the weights you are looking for\n")
    files["empty"] = tmp_path / "empty.pth.tar"
    files["empty"].write_bytes(b"")
    files["bare_state_dict"] = tmp_path / "bare.pth.tar"
    torch.save(torch.nn.Linear(4, 2).state_dict(), files["bare_state_dict"])
    state = load_checkpoint(str(trained))
    state["algo"] = "dqn"
    files["other_algo"] = tmp_path / "dqn.pth.tar"
    save_checkpoint(state, str(files["other_algo"]))
    files["pickle"] = tmp_path / "evil.pth.tar"
    files["pickle"].write_bytes(pickle.dumps({"format_version": 1, "x": Exploit()}))
    files["torch_pickle"] = tmp_path / "evil_torch.pth.tar"
    torch.save({"format_version": 1, "policy": Exploit()}, files["torch_pickle"])
    return files


@pytest.mark.parametrize("resume", [False, True])
def test_each_broken_checkpoint_is_one_sentence_naming_the_file(tmp_path, trained, resume):
    PWNED.unlink(missing_ok=True)
    (tmp_path / "files").mkdir()
    files = broken_files(tmp_path / "files", trained)
    base = tmp_path / "work"
    base.mkdir()
    for kind, path in files.items():
        message = attempt(base, path, resume)
        assert str(path) in message, (kind, message)
        if kind == "other_algo":
            assert "'dqn'" in message and "'ppo'" in message
    assert not PWNED.exists()  # the malicious pickles were refused without running


def test_missing_checkpoint(tmp_path):
    message = attempt(tmp_path, tmp_path / "nowhere" / "iteration_5.pth.tar", resume=True)
    assert "iteration_5.pth.tar" in message and "does not exist" in message


def test_shape_mismatch_names_parameter_and_both_shapes(tmp_path, trained):
    message = attempt(tmp_path, trained, resume=False, model={"encoder_hidden_size_list": [32, 64, 128]})
    assert str(trained) in message
    assert "'model.actor_encoder.0.weight' has shape (64, 4), but this model's is (32, 4)" in message


def test_resume_refuses_checkpoint_outside_a_run(tmp_path, trained):
    loose = tmp_path / "loose.pth.tar"
    shutil.copy(trained, loose)
    assert "not inside an experiment's ckpt/ dir" in attempt(tmp_path, loose, resume=True)


def test_cli_reports_bad_resume_target_in_one_line(tmp_path, trained):
    (tmp_path / "junk.pth.tar").write_text("junk")
    result = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--resume",
                     str(tmp_path / "junk.pth.tar"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "junk.pth.tar" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.pth.tar"]
