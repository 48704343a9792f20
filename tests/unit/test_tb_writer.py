"""ScalarWriter and truncate_events, read back through TensorBoard's own EventAccumulator."""

import os
import shutil
import time
from itertools import pairwise

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

from ding_lite.utils import tb_writer
from ding_lite.utils.tb_writer import ScalarWriter, truncate_events

ITER, ENV = "learner_iter/loss", "collector_step/reward"
EVAL_ITER, EVAL_ENV = "evaluator_iter/reward_mean", "evaluator_step/reward_mean"


def accumulate(log_dir) -> EventAccumulator:
    return EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0}).Reload()


def scalars(log_dir) -> dict[str, list[tuple[int, float]]]:
    ea = accumulate(log_dir)
    return {tag: [(e.step, e.value) for e in ea.Scalars(tag)] for tag in ea.Tags()["scalars"]}


def log_iters(writer: ScalarWriter, iters) -> None:
    """A training run's logging: per-iter tags and envstep tags (1000x larger steps);
    every second iter an evaluation on both axes. Values are exact in float32."""
    for it in iters:
        writer.add_scalar(ITER, it * 0.5, it)
        writer.add_scalar(ENV, it + 0.25, it * 1000)
        if it % 2 == 0:
            writer.add_scalars({EVAL_ITER: it * 2.0}, it)
            writer.add_scalars({EVAL_ENV: it * 2.0}, it * 1000)


def uninterrupted(log_dir, iters=range(1, 11)) -> dict[str, list[tuple[int, float]]]:
    writer = ScalarWriter(str(log_dir))
    log_iters(writer, iters)
    writer.close()
    return scalars(log_dir)


def assert_unique_increasing(result: dict[str, list[tuple[int, float]]]) -> None:
    for tag, points in result.items():
        steps = [s for s, _ in points]
        assert all(a < b for a, b in pairwise(steps)), (tag, steps)


def dir_names(log_dir) -> list[str]:
    return sorted(os.listdir(log_dir))


def test_crc_matches_tensorboard():
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert tb_writer._masked_crc32c(data) == masked_crc32c(data)


def test_write_buffer_flush_readback(tmp_path):
    writer = ScalarWriter(str(tmp_path / "tb"))
    writer.add_scalar("a", 1.5, 0)
    writer.add_scalars({"a": 2.5, "b": -3.0}, 1)
    assert scalars(tmp_path / "tb") == {}  # buffered, not written yet
    writer.flush()
    assert scalars(tmp_path / "tb") == {"a": [(0, 1.5), (1, 2.5)], "b": [(1, -3.0)]}
    writer.close()
    writer.close()
    assert dir_names(tmp_path / "tb") == [os.path.basename(writer.path)]
    assert "tfevents" in writer.path


def test_large_buffer_is_written_without_flush(tmp_path, monkeypatch):
    monkeypatch.setattr(tb_writer, "_MAX_BUFFERED", 4)
    writer = ScalarWriter(str(tmp_path))
    for step in range(5):
        writer.add_scalar("a", step, step)
    writer._file.flush()  # python's own buffer only; no flush() of the writer
    assert [s for s, _ in scalars(tmp_path)["a"]] == [0, 1, 2, 3]
    writer.close()


def test_text_summary_readback(tmp_path):
    text = "# config\n\n```python\nlr = 3e-4\n```"
    writer = ScalarWriter(str(tmp_path))
    writer.add_text("config", text)
    writer.close()
    ea = accumulate(tmp_path)
    (event,) = ea.Tensors("config")
    assert event.step == 0
    assert event.tensor_proto.string_val[0].decode() == text
    assert ea.SummaryMetadata("config").plugin_data.plugin_name == "text"


def test_two_axes_interleaved_lose_nothing(tmp_path):
    """iter-axis tags written right after envstep-axis tags at 1000x larger steps: with the
    default purge_orphaned_data=True nothing is purged (file_version 2, no SessionLog)."""
    result = uninterrupted(tmp_path)
    assert result[ITER] == [(it, it * 0.5) for it in range(1, 11)]
    assert result[ENV] == [(it * 1000, it + 0.25) for it in range(1, 11)]
    assert result[EVAL_ITER] == [(it, it * 2.0) for it in range(2, 11, 2)]
    assert result[EVAL_ENV] == [(it * 1000, it * 2.0) for it in range(2, 11, 2)]
    ea = accumulate(tmp_path)
    assert ea.purge_orphaned_data and ea.file_version == 2.0
    (name,) = dir_names(tmp_path)
    events = [
        event_pb2.Event.FromString(d) for d, _ in tb_writer._read_records(str(tmp_path / name))
    ]
    assert not any(e.HasField("session_log") for e in events)


def test_session_log_start_would_purge_the_other_axis(tmp_path):
    """Why no SessionLog.START is ever written: TensorBoard purges every tag at steps >= its
    step, so a START at train_iter 3 wipes the envstep-axis curve."""
    writer = ScalarWriter(str(tmp_path))
    log_iters(writer, range(1, 6))
    start = event_pb2.Event(
        step=3, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)
    )
    writer.flush()
    writer._file.write(tb_writer._record(start.SerializeToString()))
    writer.close()
    result = scalars(tmp_path)
    assert [s for s, _ in result[ITER]] == [1, 2]
    assert ENV not in result or result[ENV] == []


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


def test_last_steps_include_earlier_files(tmp_path):
    writer = ScalarWriter(str(tmp_path))
    log_iters(writer, range(1, 5))
    writer.add_text("config", "cfg", 7)
    writer.close()
    truncate_events(str(tmp_path), {ITER: 3, ENV: 3000})
    writer = ScalarWriter(str(tmp_path))
    assert writer.last_steps() == {ITER: 3, ENV: 3000}
    writer.add_scalar(ITER, 1.0, 4)
    writer.add_scalar("new", 1.0, 2)
    assert writer.last_steps() == {ITER: 4, ENV: 3000, "new": 2}
    assert scalars(tmp_path)["new"] == [(2, 1.0)]  # last_steps flushed
    writer.close()


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
    record = tb_writer._record(torn.SerializeToString())
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
        writer._file.write(tb_writer._record(event.SerializeToString()))
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
    with open(os.path.join(log_dir, tb_writer._TMP_NAME), "wb") as f:
        f.write(b"".join(records)[:50])
    raise Crash


def delete_first_then_crash(paths):
    os.remove(paths[0])
    raise Crash


CRASHES = {  # the helper of truncate_events to replace, and a factory for the replacement
    "during_step1": ("_supersede", lambda: crash_on_call(2, tb_writer._supersede)),
    "after_step1": ("_write_compacted", lambda: torn_compacted_write),
    "after_step2": ("_delete", lambda: crash_on_call(1, tb_writer._delete)),
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
        patch.setattr(tb_writer, name, make_fake())
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
        patch.setattr(tb_writer, "_delete", crash_on_call(1, tb_writer._delete))
        with pytest.raises(Crash):
            truncate_events(log_dir, keep)
    later = {ITER: 7, ENV: 7000, EVAL_ITER: 6, EVAL_ENV: 6000}
    truncate_events(log_dir, later)
    result = scalars(log_dir)
    assert result[ITER] == [(it, it * 0.5) for it in range(1, 8)]
    assert result[ENV] == [(it * 1000, it + 0.25) for it in range(1, 8)]
    assert result[EVAL_ITER] == [(it, it * 2.0) for it in (2, 4, 6)]
    assert len(dir_names(log_dir)) == 1
