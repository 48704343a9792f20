"""truncate_events, including kill -9 at each of its steps, read back through TensorBoard's own
EventAccumulator."""

import os
import shutil
import time

import pytest
from tensorboard.compat.proto import event_pb2, summary_pb2

from ding_lite.utils.tensorboard import ScalarWriter, records, truncate_events
from ding_lite.utils.tensorboard import truncate as truncate_module
from tests.unit.tb_helpers import (
    ENV,
    EVAL_ENV,
    EVAL_ITER,
    ITER,
    accumulate,
    assert_unique_increasing,
    dir_names,
    log_iters,
    scalars,
    uninterrupted,
)


def test_truncate_keeps_steps_up_to_keep_per_tag(tmp_path):
    writer = ScalarWriter(str(tmp_path))
    writer.add_text("config", "cfg")
    log_iters(writer, range(1, 11))
    writer.add_scalar("debug/unknown", 1.0, 3)
    writer.close()
    keep = {ITER: 6, ENV: 6000, EVAL_ITER: 4, EVAL_ENV: 4000}
    # dropped: ITER 7..10, ENV 7000..10000, evals at 6, 8, 10 on both axes, the unknown tag
    assert truncate_events(str(tmp_path), keep) == 4 + 4 + 3 + 3 + 1
    result = scalars(tmp_path)
    assert result == {
        ITER: [(it, it * 0.5) for it in range(1, 7)],
        ENV: [(it * 1000, it + 0.25) for it in range(1, 7)],
        EVAL_ITER: [(2, 4.0), (4, 8.0)],
        EVAL_ENV: [(2000, 4.0), (4000, 8.0)],
    }
    ea = accumulate(tmp_path)
    assert ea.Tensors("config")[0].tensor_proto.string_val == [b"cfg"]
    assert ea.file_version == 2.0
    (name,) = dir_names(tmp_path)
    assert "tfevents" in name and "compacted" in name


def test_resume_twice_equals_uninterrupted(tmp_path):
    """Run killed at iter 8 after a checkpoint at 5; resumed, killed at 9 after a checkpoint at
    7; resumed to 10. TensorBoard shows exactly the uninterrupted run."""
    expected = uninterrupted(tmp_path / "ref")
    log_dir = str(tmp_path / "run")
    start = 1
    for ckpt, killed in ((5, 8), (7, 9), (None, 10)):
        writer = ScalarWriter(log_dir)
        if start == 1:
            writer.add_text("config", "cfg")
        log_iters(writer, range(start, (ckpt or killed) + 1))
        if ckpt is None:
            writer.close()
            break
        keep = writer.last_steps()
        assert keep[ITER] == ckpt and keep[ENV] == ckpt * 1000
        log_iters(writer, range(ckpt + 1, killed + 1))
        writer.flush()
        writer._file.close()  # kill -9: no close()
        assert truncate_events(log_dir, keep) > 0
        start = ckpt + 1
    result = scalars(log_dir)
    assert result == expected
    assert_unique_increasing(result)
    assert len(accumulate(log_dir).Tensors("config")) == 1
    assert dir_names(log_dir)[-1] == os.path.basename(writer.path)  # read last by TensorBoard


def test_nothing_to_drop_touches_nothing(tmp_path):
    assert truncate_events(str(tmp_path / "missing"), {}) == 0
    assert truncate_events(str(tmp_path), {}) == 0
    writer = ScalarWriter(str(tmp_path))
    log_iters(writer, range(1, 3))
    writer.close()
    before = {n: (tmp_path / n).read_bytes() for n in dir_names(tmp_path)}
    assert truncate_events(str(tmp_path), {ITER: 2, ENV: 2000, EVAL_ITER: 2, EVAL_ENV: 2000}) == 0
    assert {n: (tmp_path / n).read_bytes() for n in dir_names(tmp_path)} == before


def test_torn_last_record_is_ignored(tmp_path):
    writer = ScalarWriter(str(tmp_path))
    log_iters(writer, range(1, 4))
    writer.flush()
    torn = event_pb2.Event(
        step=4,
        summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=ITER, simple_value=2)]),
    )
    record = records.encode_record(torn.SerializeToString())
    writer._file.write(record[:-3])  # kill -9 in the middle of a write
    writer.close()
    reader = ScalarWriter(str(tmp_path))
    assert reader.last_steps()[ITER] == 3
    reader.close()
    assert truncate_events(str(tmp_path), {ITER: 2}) == 1 + 3 + 1 + 1
    assert scalars(tmp_path) == {ITER: [(1, 0.5), (2, 1.0)]}


def test_multi_value_event_is_cut_per_tag(tmp_path):
    """Events from other writers may carry several values; only the cut ones go."""
    values = [
        summary_pb2.Summary.Value(tag="x", simple_value=1.0),
        summary_pb2.Summary.Value(tag="y", simple_value=2.0),
        summary_pb2.Summary.Value(
            tag="h", histo=summary_pb2.HistogramProto(min=0.0, max=1.0, num=1.0)
        ),
    ]
    writer = ScalarWriter(str(tmp_path))
    for step in (1, 2):
        event = event_pb2.Event(
            wall_time=time.time(), step=step, summary=summary_pb2.Summary(value=values)
        )
        writer._file.write(records.encode_record(event.SerializeToString()))
    writer.close()
    assert truncate_events(str(tmp_path), {"x": 2, "y": 1}) == 1
    assert scalars(tmp_path) == {"x": [(1, 1.0), (2, 1.0)], "y": [(1, 2.0)]}
    assert [e.step for e in accumulate(tmp_path).Histograms("h")] == [1, 2]


def test_untruncated_old_resume_keeps_newest_values(tmp_path):
    """A dir where a resumed run re-logged steps without truncation: the later file wins."""
    first = ScalarWriter(str(tmp_path))
    for step in range(10):
        first.add_scalar("a", 1.0, step)
    first.flush()
    second = ScalarWriter(str(tmp_path))
    for step in range(5, 15):
        second.add_scalar("a", 2.0, step)
    second.close()
    first.close()
    assert truncate_events(str(tmp_path), {"a": 12}) == 5 + 2
    assert scalars(tmp_path) == {
        "a": [(s, 1.0) for s in range(5)] + [(s, 2.0) for s in range(5, 13)]
    }


class Crash(Exception):
    pass


def crash_on_call(n: int, real):
    """A stand-in for `real` that raises on its n-th call (1-based), after the earlier calls ran."""
    calls = []

    def fake(*args):
        calls.append(args)
        if len(calls) == n:
            raise Crash
        return real(*args)

    return fake


def torn_compacted_write(log_dir, records, name):
    with open(os.path.join(log_dir, truncate_module._TMP_NAME), "wb") as f:
        f.write(b"".join(records)[:50])
    raise Crash


def delete_first_then_crash(paths):
    os.remove(paths[0])
    raise Crash


CRASHES = {  # the helper of truncate_events to replace, and a factory for the replacement
    "during_step1": ("_supersede", lambda: crash_on_call(2, truncate_module._supersede)),
    "after_step1": ("_write_compacted", lambda: torn_compacted_write),
    "after_step2": ("_delete", lambda: crash_on_call(1, truncate_module._delete)),
    "during_step3": ("_delete", lambda: delete_first_then_crash),
}


def two_file_run(log_dir) -> dict[str, int]:
    """A run killed at iter 8 after a checkpoint at 5, resumed without truncation at 6 and
    killed at 9 (two event files, steps 6..8 twice); returns the first checkpoint's keep."""
    writer = ScalarWriter(log_dir)
    writer.add_text("config", "cfg")
    log_iters(writer, range(1, 6))
    keep = writer.last_steps()
    log_iters(writer, range(6, 9))
    writer.close()
    writer = ScalarWriter(log_dir)
    log_iters(writer, range(6, 10))
    writer.close()
    return keep


@pytest.mark.parametrize("crash", list(CRASHES))
def test_crash_then_truncate_again_converges(tmp_path, monkeypatch, crash):
    ref = str(tmp_path / "ref")
    keep = two_file_run(ref)
    shutil.copytree(ref, tmp_path / "run")
    log_dir = str(tmp_path / "run")
    truncate_events(ref, keep)
    expected = scalars(ref)
    assert expected[ITER] == [(it, it * 0.5) for it in range(1, 6)]

    name, make_fake = CRASHES[crash]
    with monkeypatch.context() as patch:
        patch.setattr(truncate_module, name, make_fake())
        with pytest.raises(Crash):
            truncate_events(log_dir, keep)
    assert any(n.startswith("superseded.") for n in dir_names(log_dir))
    seen = scalars(log_dir)  # what TensorBoard shows meanwhile: a subset, never duplicates
    assert_unique_increasing(seen)
    if crash == "after_step1":
        assert seen == {}  # superseded and temp files are invisible to TensorBoard
    if crash in ("after_step2", "during_step3"):
        assert seen == expected

    truncate_events(log_dir, keep)
    assert scalars(log_dir) == expected
    assert len(accumulate(log_dir).Tensors("config")) == 1
    (name,) = dir_names(log_dir)
    assert "compacted" in name

    writer = ScalarWriter(log_dir)  # and the run continues as if never interrupted
    log_iters(writer, range(6, 11))
    writer.close()
    assert scalars(log_dir) == uninterrupted(tmp_path / "uninterrupted")


def test_crash_then_truncate_with_other_keep_stays_ordered(tmp_path, monkeypatch):
    """Resuming from another checkpoint after a crash: originals still in superseded files
    are used again, and each tag comes out in step order."""
    log_dir = str(tmp_path)
    writer = ScalarWriter(log_dir)
    log_iters(writer, range(1, 6))
    keep = writer.last_steps()
    log_iters(writer, range(6, 9))
    writer.close()
    with monkeypatch.context() as patch:
        patch.setattr(truncate_module, "_delete", crash_on_call(1, truncate_module._delete))
        with pytest.raises(Crash):
            truncate_events(log_dir, keep)
    later = {ITER: 7, ENV: 7000, EVAL_ITER: 6, EVAL_ENV: 6000}
    truncate_events(log_dir, later)
    result = scalars(log_dir)
    assert result[ITER] == [(it, it * 0.5) for it in range(1, 8)]
    assert result[ENV] == [(it * 1000, it + 0.25) for it in range(1, 8)]
    assert result[EVAL_ITER] == [(it, it * 2.0) for it in (2, 4, 6)]
    assert len(dir_names(log_dir)) == 1
