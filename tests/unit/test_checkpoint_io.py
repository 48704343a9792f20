"""Checkpoint IO: exact round trips, atomic writes under real kill -9, safe and clear loads."""

import os
import pickle
import random
import re
import signal
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

from ding_lite.utils import checkpoint_io
from ding_lite.utils.checkpoint_io import (
    FORMAT_VERSION,
    CheckpointError,
    iteration_of,
    list_iteration_checkpoints,
    load_checkpoint,
    newest_checkpoint,
    prune_checkpoints,
    save_checkpoint,
)


def assert_same(a, b) -> None:
    """Exact equality including types, dtypes and shapes, recursively."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def nested_state() -> dict:
    rng = np.random.RandomState(3)
    return {
        "algo": "ppo",
        "train_iter": 120,
        "envstep": 2**40 + 7,
        "best_return": -3.25,
        "last_eval": None,
        "done": False,
        "tags": ["a", "b", ("c", 1)],
        "model": OrderedDict(w=torch.randn(4, 3), b=torch.zeros(3, dtype=torch.float64)),
        "np": {
            "f32": rng.rand(5, 2).astype(np.float32),
            "i64": np.arange(-3, 4, dtype=np.int64),
            "bool": np.array([True, False, True]),
            "f32_0d": np.array(1.5, dtype=np.float32),
            "i64_0d": np.array(-7, dtype=np.int64),
            "bool_0d": np.array(True),
            "empty": np.zeros((0, 3), dtype=np.float32),
            "u32": np.arange(3, dtype=np.uint32),
            "str": np.array(["cart", "pole"]),
            "scalar_f64": np.float64(0.125),
            "scalar_i32": np.int32(9),
        },
        "rng": {
            "python": random.Random(5).getstate(),
            "numpy": rng.get_state(),
            "numpy_gen": np.random.default_rng(1).bit_generator.state,
            "torch": torch.get_rng_state(),
        },
        3: {"int keys": [1.0, float("inf")]},
    }


def test_round_trip_is_exact_and_does_not_touch_the_callers_dict(tmp_path):
    state = nested_state()
    f32 = state["np"]["f32"]
    path = tmp_path / "iteration_1.pth.tar"
    save_checkpoint(state, str(path))

    assert "format_version" not in state and state["np"]["f32"] is f32
    loaded = load_checkpoint(str(path))
    assert loaded.pop("format_version") == FORMAT_VERSION
    assert_same(state, loaded)
    assert loaded["np"]["f32_0d"].shape == () and isinstance(loaded["np"]["f32_0d"], np.ndarray)
    random.Random().setstate(loaded["rng"]["python"])
    np.random.RandomState().set_state(loaded["rng"]["numpy"])


def test_awkward_numpy_layouts_round_trip(tmp_path):
    readonly = np.arange(6.0)
    readonly.flags.writeable = False
    state = {
        "big_endian": np.arange(4, dtype=">f8"),
        "strided": np.arange(20, dtype=np.int16).reshape(4, 5)[:, ::2],
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "readonly": readonly,
        "datetime": np.array(["2024-01-02"], dtype="datetime64[D]"),
        "bytes_0d": np.array(b"xy"),
    }
    path = tmp_path / "c.pth.tar"
    save_checkpoint(state, str(path))
    loaded = load_checkpoint(str(path))
    for key, arr in state.items():
        np.testing.assert_array_equal(loaded[key], arr)
        assert loaded[key].shape == arr.shape
    assert loaded["big_endian"].dtype == np.float64  # same values, native byte order


def test_file_loads_with_plain_torch_load_weights_only(tmp_path):
    path = tmp_path / "iteration_1.pth.tar"
    save_checkpoint(nested_state(), str(path))
    raw = torch.load(path, weights_only=True)
    assert raw["format_version"] == FORMAT_VERSION and raw["train_iter"] == 120
    assert torch.equal(raw["np"]["i64"]["__ding_lite_ndarray__"], torch.arange(-3, 4))


def test_model_and_optimizer_state_restore(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(5, 4)).sum().backward()
    opt.step()
    path = tmp_path / "iteration_1.pth.tar"
    save_checkpoint({"model": model.state_dict(), "optimizer": opt.state_dict()}, str(path))

    loaded = load_checkpoint(str(path))
    model2 = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    opt2 = torch.optim.Adam(model2.parameters(), lr=1e-3)
    model2.load_state_dict(loaded["model"])
    opt2.load_state_dict(loaded["optimizer"])
    assert_same(model.state_dict(), model2.state_dict())
    assert_same(opt.state_dict(), opt2.state_dict())


class Opaque:
    pass


@pytest.mark.parametrize(
    "obj, where",
    [
        ({"a": {"b": {1, 2}}}, r"obj\['a'\]\['b'\] has type set"),
        ({"a": [1, Opaque()]}, r"obj\['a'\]\[1\] has type Opaque"),
        ({"a": np.array([None, 1], dtype=object)}, r"obj\['a'\] is a numpy object array"),
        ({"a": {(1, 2): 3}}, r"key \(1, 2\) at obj\['a'\]"),
        ({"__ding_lite_ndarray__": 1}, r"key '__ding_lite_ndarray__' at obj"),
    ],
)
def test_save_rejects_what_weights_only_cannot_load_and_writes_nothing(tmp_path, obj, where):
    with pytest.raises(TypeError, match=where):
        save_checkpoint(obj, str(tmp_path / "iteration_1.pth.tar"))
    assert os.listdir(tmp_path) == []


def test_failed_replace_leaves_previous_file_byte_identical(tmp_path, monkeypatch):
    path = tmp_path / "iteration_5.pth.tar"
    save_checkpoint({"v": torch.ones(1000)}, str(path))
    before = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated crash"):
        save_checkpoint({"v": torch.zeros(1000)}, str(path))
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["iteration_5.pth.tar"]
    assert torch.equal(load_checkpoint(str(path))["v"], torch.ones(1000))


def test_interrupted_torch_save_leaves_previous_file_and_no_partial(tmp_path, monkeypatch):
    path = tmp_path / "iteration_5.pth.tar"
    save_checkpoint({"v": torch.ones(1000)}, str(path))
    before = path.read_bytes()

    def half_written_save(obj, f):
        f.write(before[: len(before) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_io.torch, "save", half_written_save)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"v": torch.zeros(1000)}, str(path))
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"v": torch.zeros(1000)}, str(tmp_path / "iteration_6.pth.tar"))
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["iteration_5.pth.tar"]
    assert newest_checkpoint(str(tmp_path)) == str(path)


def _save_forever(ckpt_dir: Path, state: dict) -> None:
    """Body of the forked writer that gets kill -9'd: save increasing iterations and prune."""
    it = max(iteration_of(p) for p in list_iteration_checkpoints(str(ckpt_dir)))
    while True:
        it += 1
        save_checkpoint({**state, "iter": it}, str(ckpt_dir / f"iteration_{it}.pth.tar"))
        prune_checkpoints(str(ckpt_dir), 3)


def test_real_kill_9_mid_save_never_breaks_newest_checkpoint(tmp_path):
    # Forked from this (already torch-importing) process so 20 real writers cost no interpreter
    # start-ups; each one is SIGKILLed at a random instant.
    state = {
        "w": torch.arange(200_000, dtype=torch.float32),
        "obs": np.arange(50_000, dtype=np.float32),
    }  # ~1 MB on disk
    save_checkpoint({**state, "iter": 0}, str(tmp_path / "iteration_0.pth.tar"))
    rng = random.Random(1234)
    newest_iter, kills_mid_write = 0, 0
    for _ in range(20):
        pid = os.fork()
        if pid == 0:
            try:
                _save_forever(tmp_path, state)
            finally:
                os._exit(1)  # never fall back into pytest inside the child
        try:  # after this writer's first complete save (a file event, not a time), at a random instant
            before = newest_iter
            while max(iteration_of(p) for p in list_iteration_checkpoints(str(tmp_path))) <= before:
                assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the writer died before saving"
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.03))
        finally:
            os.kill(pid, signal.SIGKILL)
            status = os.waitpid(pid, 0)[1]
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

        kills_mid_write += any(".tmp." in name for name in os.listdir(tmp_path))
        # Every file under a final name is complete, and the newest one is the highest number.
        for path in list_iteration_checkpoints(str(tmp_path)):
            assert load_checkpoint(path)["iter"] == iteration_of(path)
        newest = newest_checkpoint(str(tmp_path))
        assert newest is not None and iteration_of(newest) >= newest_iter
        loaded = load_checkpoint(newest)
        assert torch.equal(loaded["w"], state["w"])
        np.testing.assert_array_equal(loaded["obs"], state["obs"])
        newest_iter = iteration_of(newest)
    assert newest_iter >= 20  # the writers really were saving between kills (each one at least once)
    assert kills_mid_write >= 1  # usually most of the 20 kills land inside a save

    # The next save cleans up the temp files the killed writers left behind.
    save_checkpoint(
        {"iter": newest_iter + 1}, str(tmp_path / f"iteration_{newest_iter + 1}.pth.tar")
    )
    assert not [name for name in os.listdir(tmp_path) if ".tmp." in name]


def test_stale_temp_files_are_removed_but_live_writers_temps_are_kept(tmp_path):
    dead_pid = os.fork()
    if dead_pid == 0:
        os._exit(0)
    os.waitpid(dead_pid, 0)
    stale = tmp_path / f".iteration_3.pth.tar.tmp.{dead_pid}.0a1b"
    own_stale = tmp_path / f".iteration_4.pth.tar.tmp.{os.getpid()}.ff00"
    live = tmp_path / f".iteration_4.pth.tar.tmp.{os.getppid()}.beef"
    other = tmp_path / "notes.tmp.txt"
    for p in (stale, own_stale, live, other):
        p.write_bytes(b"PK\x03\x04partial")
    assert [iteration_of(p) for p in (stale, own_stale, live)] == [None, None, None]

    save_checkpoint({"x": 1}, str(tmp_path / "iteration_5.pth.tar"))
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, other.name, "iteration_5.pth.tar"])
    assert list_iteration_checkpoints(str(tmp_path)) == [str(tmp_path / "iteration_5.pth.tar")]


def test_iteration_of():
    assert iteration_of("iteration_120.pth.tar") == 120
    assert iteration_of("/a/b/iteration_0.pth.tar") == 0
    for name in [
        "ckpt_best.pth.tar",
        "iteration_12.pth.tar.bak",
        "iteration_x.pth.tar",
        ".iteration_12.pth.tar.tmp.77.ab",
        "iteration_-1.pth.tar",
        "xiteration_1.pth.tar",
    ]:
        assert iteration_of(name) is None, name


def test_sorting_is_by_number_not_name_or_mtime(tmp_path):
    for i, n in enumerate([100, 10, 9]):
        p = tmp_path / f"iteration_{n}.pth.tar"
        save_checkpoint({"n": n}, str(p))
        os.utime(p, (1_000_000 + i, 1_000_000 + i))  # iteration_9 has the newest mtime
    (tmp_path / "ckpt_best.pth.tar").write_bytes(b"")
    (tmp_path / "iteration_11.pth.tar").mkdir()
    assert [iteration_of(p) for p in list_iteration_checkpoints(str(tmp_path))] == [9, 10, 100]
    assert newest_checkpoint(str(tmp_path)) == str(tmp_path / "iteration_100.pth.tar")


def test_newest_skips_incomplete_files_and_handles_empty_or_missing_dirs(tmp_path):
    assert newest_checkpoint(str(tmp_path)) is None
    assert newest_checkpoint(str(tmp_path / "missing")) is None
    assert list_iteration_checkpoints(str(tmp_path / "missing")) == []
    good = tmp_path / "iteration_10.pth.tar"
    save_checkpoint({"w": torch.ones(10_000)}, str(good))
    data = good.read_bytes()
    (tmp_path / "iteration_11.pth.tar").write_bytes(data[: len(data) // 2])
    (tmp_path / "iteration_12.pth.tar").write_bytes(data[:-1])
    (tmp_path / "iteration_13.pth.tar").write_bytes(b"")
    (tmp_path / "iteration_14.pth.tar").write_bytes(b"not a zip at all")
    assert newest_checkpoint(str(tmp_path)) == str(good)


def test_prune_keeps_best_and_the_highest_n(tmp_path):
    for n in range(1, 13):
        (tmp_path / f"iteration_{n}.pth.tar").write_bytes(b"x")
    keepers = ["ckpt_best.pth.tar", "notes.txt", ".iteration_2.pth.tar.tmp.1.ab"]
    for name in keepers:
        (tmp_path / name).write_bytes(b"x")

    assert prune_checkpoints(str(tmp_path), 0) == []
    assert prune_checkpoints(str(tmp_path), -1) == []
    assert prune_checkpoints(str(tmp_path), 20) == []
    removed = prune_checkpoints(str(tmp_path), 3)
    assert removed == [str(tmp_path / f"iteration_{n}.pth.tar") for n in range(1, 10)]
    assert sorted(os.listdir(tmp_path)) == sorted(
        keepers + [f"iteration_{n}.pth.tar" for n in (10, 11, 12)]
    )
    assert prune_checkpoints(str(tmp_path), 3) == []


class Evil:
    """Unpickling this runs a shell command."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _rewrite_zip(path: Path, edit) -> None:
    """Rewrite the zip at `path`, passing each member's (name, bytes) through `edit`."""
    with zipfile.ZipFile(path) as src:
        members = [(info.filename, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in members:
            edited = edit(name, data)
            if edited is not None:
                dst.writestr(name, edited)


def _build_case(name: str, path: Path) -> tuple[dict, str]:
    """Create a bad file for case `name` at `path`; return (load kwargs, expected message regex)."""
    if name == "missing":
        return {}, "does not exist"
    if name == "empty":
        path.write_bytes(b"")
        return {}, r"is empty \(0 bytes\)"
    if name == "truncated_half":
        save_checkpoint({"w": torch.ones(10_000)}, str(path))
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return {}, "is truncated or corrupted"
    if name == "truncated_tail":
        save_checkpoint({"w": torch.ones(10_000)}, str(path))
        data = path.read_bytes()
        path.write_bytes(data[:-10])
        return {}, "is truncated or corrupted"
    if name == "random_bytes":
        path.write_bytes(random.Random(0).randbytes(4096))
        return {}, "is not a PyTorch checkpoint file"
    if name == "text_file":
        path.write_text("train_iter: 120\nthis is not a checkpoint\n")
        return {}, "is not a PyTorch checkpoint file"
    if name == "directory":
        path.mkdir()
        return {}, "cannot be read"
    if name == "bare_state_dict":
        torch.save(torch.nn.Linear(2, 2).state_dict(), path)
        return {}, "is a torch file but not a ding_lite checkpoint"
    if name == "bare_tensor":
        torch.save(torch.ones(3), path)
        return {}, "is a torch file but not a ding_lite checkpoint"
    if name == "newer_format":
        torch.save({"format_version": FORMAT_VERSION + 1, "algo": "ppo"}, path)
        return {}, f"uses checkpoint format version {FORMAT_VERSION + 1}.*upgrade ding_lite"
    if name == "bad_format":
        torch.save({"format_version": "1"}, path)
        return {}, "has an invalid format_version '1'"
    if name == "plain_zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
        return {}, "is truncated or corrupted"
    if name == "corrupt_pickle":
        save_checkpoint({"w": torch.ones(3)}, str(path))
        _rewrite_zip(path, lambda n, d: b"\x00" * len(d) if n.endswith("data.pkl") else d)
        return {}, "was refused because its pickled data is not allowed"
    if name == "missing_storage":
        save_checkpoint({"w": torch.ones(3)}, str(path))
        _rewrite_zip(path, lambda n, d: None if "/data/" in n else d)
        return {}, r"is corrupted and could not be read \(RuntimeError\)"
    if name == "wrong_algo":
        save_checkpoint({"algo": "dqn"}, str(path))
        return {"expect_algo": "ppo"}, "was written by a 'dqn' policy, this run is 'ppo'"
    if name == "no_algo":
        save_checkpoint({"train_iter": 3}, str(path))
        message = r"was written by no recorded policy \('algo'\), this run is 'ppo'"
        return {"expect_algo": "ppo"}, message
    raise AssertionError(name)


ERROR_CASES = [
    "missing",
    "empty",
    "truncated_half",
    "truncated_tail",
    "random_bytes",
    "text_file",
    "directory",
    "bare_state_dict",
    "bare_tensor",
    "newer_format",
    "bad_format",
    "wrong_algo",
    "no_algo",
    "plain_zip",
    "corrupt_pickle",
    "missing_storage",
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_load_errors_are_one_sentence_naming_the_file(tmp_path, case):
    path = tmp_path / f"iteration_7_{case}.pth.tar"
    kwargs, message = _build_case(case, path)
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=re.escape(str(path)) + " " + message) as info:
        load_checkpoint(str(path), **kwargs)
    assert time.perf_counter() - start < 2.0
    text = str(info.value)
    assert "\n" not in text and text.endswith(".") and text.count(". ") == 0


@pytest.mark.parametrize(
    "case, cause",
    [
        ("missing", FileNotFoundError),
        ("directory", IsADirectoryError),
        ("corrupt_pickle", pickle.UnpicklingError),
        ("missing_storage", RuntimeError),
    ],
)
def test_load_error_chains_the_original_exception(tmp_path, case, cause):
    path = tmp_path / "iteration_1.pth.tar"
    kwargs, _ = _build_case(case, path)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(str(path), **kwargs)
    assert isinstance(info.value.__cause__, cause)


def test_expect_algo_match_loads(tmp_path):
    path = tmp_path / "iteration_1.pth.tar"
    save_checkpoint({"algo": "ppo"}, str(path))
    assert load_checkpoint(str(path), expect_algo="ppo")["algo"] == "ppo"


@pytest.mark.parametrize("writer", ["pickle", "torch.save", "torch.save_nested"])
def test_malicious_pickle_is_refused_without_running(tmp_path, writer):
    marker = tmp_path / "pwned"
    path = tmp_path / "iteration_1.pth.tar"
    if writer == "pickle":
        with open(path, "wb") as f:
            pickle.dump(Evil(marker), f)
        # Prove the payload is live: an unsafe load really runs the command.
        with open(path, "rb") as f:
            pickle.load(f)
        assert marker.exists()
        marker.unlink()
        expected = "is not a PyTorch checkpoint file"
    else:
        payload = Evil(marker)
        if writer == "torch.save_nested":
            payload = {"format_version": 1, "model": {"w": torch.ones(2), "x": [payload]}}
        torch.save(payload, path)
        torch.load(path, weights_only=False)
        assert marker.exists()
        marker.unlink()
        expected = r"was refused because it references '\w+\.system'.*could run code"

    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=re.escape(str(path)) + " " + expected) as info:
        load_checkpoint(str(path))
    assert time.perf_counter() - start < 2.0
    assert "\n" not in str(info.value)
    assert not marker.exists()
