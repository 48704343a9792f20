"""ScalarWriter and the TFRecord framing, read back through TensorBoard's own EventAccumulator."""

import os

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

from ding_lite.utils.tensorboard import ScalarWriter, records, truncate_events
from ding_lite.utils.tensorboard import writer as writer_module
from tests.unit.tb_helpers import (
    ENV,
    EVAL_ENV,
    EVAL_ITER,
    ITER,
    accumulate,
    dir_names,
    log_iters,
    scalars,
    uninterrupted,
)


def test_crc_matches_tensorboard():
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert records.masked_crc32c(data) == masked_crc32c(data)


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
    monkeypatch.setattr(writer_module, "_MAX_BUFFERED", 4)
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
        event_pb2.Event.FromString(d) for d, _ in records.read_records(str(tmp_path / name))
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
    writer._file.write(records.encode_record(start.SerializeToString()))
    writer.close()
    result = scalars(tmp_path)
    assert [s for s, _ in result[ITER]] == [1, 2]
    assert ENV not in result or result[ENV] == []


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
