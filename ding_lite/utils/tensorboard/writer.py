"""Buffered, fsyncing TensorBoard writer for scalars and markdown text.

Every file starts with a ``file_version`` of ``brain.Event:2``. With it TensorBoard's only orphan
purge (tensorboard 2.21, ``EventAccumulator``) is on a ``SessionLog.START`` event, and that purge
is by *global* step: every tag loses its events at steps >= the START step. With two x-axes
(train_iter vs envstep) that wipes the envstep curves, so no SessionLog event is ever written;
``truncate_events`` does the per-tag cut itself instead.
"""

import os
import socket
import time
from itertools import count

from tensorboard.compat.proto import (
    event_pb2,
    summary_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
)

from ding_lite.utils.tensorboard.records import (
    encode_record,
    event_files,
    fsync_dir,
    is_scalar,
    read_records,
    stamps,
)

_FILE_VERSION = "brain.Event:2"
_MAX_BUFFERED = 1024  # events held in memory before an (un-fsynced) write to the file
_file_ids = count()  # makes file names unique within a process


class ScalarWriter:
    """Buffered TensorBoard writer for scalars and markdown text.

    ``add_*`` only appends to an in-memory list; events are serialized and written on
    ``flush()`` (which also fsyncs) or when the buffer holds ``_MAX_BUFFERED`` events. Each
    writer opens a new file (exclusive create) whose time stamp sorts after every event file
    already in ``log_dir``, so TensorBoard reads it after them. On resume, run
    ``truncate_events`` on the dir before opening a writer there.
    """

    def __init__(self, log_dir: str) -> None:
        os.makedirs(log_dir, exist_ok=True)
        existing = event_files(log_dir)
        self._last: dict[str, int] = {}
        for name in existing:
            for data, _ in read_records(os.path.join(log_dir, name)):
                event = event_pb2.Event.FromString(data)
                for value in event.summary.value:
                    if is_scalar(value):
                        self._note_step(value.tag, event.step)
        stamp = max([int(time.time())] + [s + 1 for s in stamps(existing)])
        host, pid = socket.gethostname(), os.getpid()
        name = f"events.out.tfevents.{stamp:010d}.{host}.{pid}.{next(_file_ids)}"
        self._path = os.path.join(log_dir, name)
        # exclusive create: never append to or clobber a file; open for the writer's lifetime
        self._file = open(self._path, "xb")  # noqa: SIM115
        self._pending: list[tuple[float, int, str, float | str]] = []
        self._scalar_event = event_pb2.Event()
        self._scalar_value = self._scalar_event.summary.value.add()
        header = event_pb2.Event(wall_time=time.time(), file_version=_FILE_VERSION)
        self._file.write(encode_record(header.SerializeToString()))
        self.flush()
        fsync_dir(log_dir)

    @property
    def path(self) -> str:
        """The event file this writer appends to."""
        return self._path

    def _note_step(self, tag: str, step: int) -> None:
        if tag not in self._last or step > self._last[tag]:
            self._last[tag] = step

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Buffer one scalar (stored as float32, as the format does); `value` may be any
        float-convertible number (numpy scalar, 0-d tensor)."""
        step = int(step)
        self._pending.append((time.time(), step, tag, float(value)))
        self._note_step(tag, step)
        if len(self._pending) >= _MAX_BUFFERED:
            self._write_pending()

    def add_scalars(self, values: dict[str, float], step: int) -> None:
        """Buffer several scalars at one step, one event each (so truncation can cut per tag)."""
        for tag, value in values.items():
            self.add_scalar(tag, value, step)

    def add_text(self, tag: str, text: str, step: int = 0) -> None:
        """Buffer a markdown text summary (TensorBoard's text plugin), e.g. the compiled config."""
        self._pending.append((time.time(), int(step), tag, str(text)))

    def _write_pending(self) -> None:
        event, value = self._scalar_event, self._scalar_value
        records = []
        for wall_time, step, tag, item in self._pending:
            if isinstance(item, str):
                data = _text_event(wall_time, step, tag, item)
            else:  # refilling one message is several times cheaper than building a new one
                event.wall_time, event.step, value.tag, value.simple_value = (
                    wall_time,
                    step,
                    tag,
                    item,
                )
                data = event.SerializeToString()
            records.append(encode_record(data))
        self._file.write(b"".join(records))
        self._pending.clear()

    def flush(self) -> None:
        """Write everything buffered and fsync, so a kill -9 (or power loss) right after loses
        nothing logged before."""
        self._write_pending()
        self._file.flush()
        os.fsync(self._file.fileno())

    def last_steps(self) -> dict[str, int]:
        """Largest step of every scalar tag in this writer and in the dir's earlier event files.

        This is the ``keep`` a checkpoint stores for ``truncate_events``. It flushes first, so
        every step it reports is on disk before the checkpoint that stores it is written.
        """
        self.flush()
        return dict(self._last)

    def close(self) -> None:
        """Flush and close; later calls do nothing."""
        if not self._file.closed:
            self.flush()
            self._file.close()


def _text_event(wall_time: float, step: int, tag: str, text: str) -> bytes:
    """Serialized Event holding a text-plugin summary, as TensorBoard's text dashboard reads it."""
    value = summary_pb2.Summary.Value(
        tag=tag,
        metadata=summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text")
        ),
        tensor=tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING,
            string_val=[text.encode("utf-8")],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]
            ),
        ),
    )
    return event_pb2.Event(
        wall_time=wall_time, step=step, summary=summary_pb2.Summary(value=[value])
    ).SerializeToString()
