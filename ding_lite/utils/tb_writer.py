"""TensorBoard scalar/text writer without torch, and crash-safe truncation of a run's events.

Why not ``torch.utils.tensorboard`` (~2 s to import) or tensorboard's ``EventFileWriter``
(~0.4 s: it pulls in the TensorFlow stub and boto3): both are start-up cost for every run; the
latter also flushes without fsync, opens its file in ``"wb"`` mode (a name clash would clobber)
and picks file names we need to control (see below). Here only the generated protos are imported
(~0.03 s); the TFRecord framing (length, masked CRC32C) is a few lines.

TensorBoard behaviour this module relies on (tensorboard 2.21, ``EventAccumulator`` and
``DirectoryWatcher``):

* Only files whose basename contains ``tfevents`` are read, in sorted name order, and a file
  that sorts before the one being watched is never read. So a new writer's file gets a time
  stamp larger than any existing file's, and a compacted file keeps the oldest stamp of its
  sources: the continuation of a run always sorts after what precedes it.
* With a ``file_version`` of ``brain.Event:2`` (first event of every ScalarWriter file) the only
  orphan purge is on a ``SessionLog.START`` event, and that purge is by *global* step: every
  tag loses its events at steps >= the START step. With two x-axes (train_iter vs envstep) that
  wipes the envstep curves, so no SessionLog event is ever written; truncation does the per-tag
  cut itself instead.
"""

import os
import re
import socket
import struct
import time
from collections.abc import Iterator
from functools import lru_cache
from itertools import count

from tensorboard.compat.proto import (
    event_pb2,
    summary_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
)

_FILE_VERSION = "brain.Event:2"
_EVENTS_MARK = "tfevents"  # TensorBoard's io_wrapper.IsTensorFlowEventsFile test on the basename
_SUPERSEDED = "superseded."  # prefix of files being replaced by a truncation in progress
_TMP_NAME = ".compacting.tmp"  # no "tfevents": TensorBoard never reads a half-written file
_STAMP = re.compile(r"tfevents\.(\d+)")
_MAX_BUFFERED = 1024  # events held in memory before an (un-fsynced) write to the file
_file_ids = count()  # makes file names unique within a process


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        for _ in range(8):
            n = (n >> 1) ^ (0x82F63B78 if n & 1 else 0)
        table.append(n)
    return tuple(table)


_CRC_TABLE = _crc_table()


def _masked_crc32c(data: bytes) -> int:
    """CRC32C masked as TFRecord does (so readers verify every record)."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


@lru_cache(maxsize=4096)
def _header(length: int) -> bytes:
    """TFRecord header (length + its CRC); cached, as events of one tag share a length."""
    header = struct.pack("<Q", length)
    return header + struct.pack("<I", _masked_crc32c(header))


def _record(data: bytes) -> bytes:
    """Frame one serialized Event as a TFRecord."""
    return _header(len(data)) + data + struct.pack("<I", _masked_crc32c(data))


def _read_records(path: str) -> Iterator[tuple[bytes, bytes]]:
    """Yield (event bytes, whole record) of a TFRecord file, stopping at the first torn or
    corrupt record: a kill -9 during a write leaves at most a partial last record, which
    TensorBoard cannot read either."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos + 12 <= len(buf):
        (length,) = struct.unpack_from("<Q", buf, pos)
        end = pos + 12 + length + 4
        if end > len(buf) or buf[pos : pos + 12] != _header(length):
            return
        data = buf[pos + 12 : end - 4]
        if struct.unpack_from("<I", buf, end - 4)[0] != _masked_crc32c(data):
            return
        yield data, buf[pos:end]
        pos = end


def _fsync_dir(path: str) -> None:
    """Make renames/creations/deletions in `path` durable (POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _event_files(log_dir: str) -> list[str]:
    """Names of the event files TensorBoard reads in `log_dir` (not recursive), sorted."""
    with os.scandir(log_dir) as entries:
        return sorted(e.name for e in entries if _EVENTS_MARK in e.name and e.is_file())


def _stamps(names: list[str]) -> list[int]:
    """The time stamps in event-file names (``events.out.tfevents.<stamp>.<host>...``)."""
    return [int(m.group(1)) for m in map(_STAMP.search, names) if m]


def _is_scalar(value: summary_pb2.Summary.Value) -> bool:
    """Scalars as EventAccumulator.Scalars sees them (simple_value); tensor-encoded
    summaries (text, TF2-style scalars) are not truncated."""
    return value.HasField("simple_value")


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
        existing = _event_files(log_dir)
        self._last: dict[str, int] = {}
        for name in existing:
            for data, _ in _read_records(os.path.join(log_dir, name)):
                event = event_pb2.Event.FromString(data)
                for value in event.summary.value:
                    if _is_scalar(value):
                        self._note_step(value.tag, event.step)
        stamp = max([int(time.time())] + [s + 1 for s in _stamps(existing)])
        host, pid = socket.gethostname(), os.getpid()
        name = f"events.out.tfevents.{stamp:010d}.{host}.{pid}.{next(_file_ids)}"
        self._path = os.path.join(log_dir, name)
        # exclusive create: never append to or clobber a file; open for the writer's lifetime
        self._file = open(self._path, "xb")  # noqa: SIM115
        self._pending: list[tuple[float, int, str, float | str]] = []
        self._scalar_event = event_pb2.Event()
        self._scalar_value = self._scalar_event.summary.value.add()
        header = event_pb2.Event(wall_time=time.time(), file_version=_FILE_VERSION)
        self._file.write(_record(header.SerializeToString()))
        self.flush()
        _fsync_dir(log_dir)

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
            records.append(_record(data))
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


def _original_name(name: str) -> str:
    """Event-file name a (possibly superseded) file had; sources are merged in this order."""
    if name.startswith(_SUPERSEDED):
        return name[len(_SUPERSEDED) :].replace("tf-events", _EVENTS_MARK)
    return name


def _supersede(log_dir: str, name: str) -> str:
    """Step 1: hide an event file from TensorBoard, keeping it as a source."""
    new = os.path.join(log_dir, _SUPERSEDED + name.replace(_EVENTS_MARK, "tf-events"))
    os.replace(os.path.join(log_dir, name), new)
    return new


def _write_compacted(log_dir: str, records: list[bytes], name: str) -> None:
    """Step 2: write the kept records to a temp file TensorBoard ignores, make it durable,
    then give it its event-file name atomically."""
    tmp = os.path.join(log_dir, _TMP_NAME)
    with open(tmp, "wb") as f:
        f.write(b"".join(records))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(log_dir, name))
    _fsync_dir(log_dir)


def _delete(paths: list[str]) -> None:
    """Step 3: drop the superseded sources."""
    for path in paths:
        os.remove(path)


def truncate_events(log_dir: str, keep: dict[str, int]) -> int:
    """Cut a run's event files back to a checkpoint: per scalar tag keep steps <= keep[tag].

    Scalars of tags missing from `keep` are dropped; non-scalar events (file_version, text)
    stay. Each tag is cut at its own step (train_iter and envstep axes differ by orders of
    magnitude), never by one global purge step. Only files directly in `log_dir` are read.
    Must not run while a ScalarWriter has the dir open.

    Sources are the event files plus ``superseded.*`` files left by an interrupted earlier call,
    merged in original-name (= chronological) order; a scalar seen twice at one (tag, step) keeps
    its last copy, any other event seen twice byte-for-byte keeps one. Kept scalars of a tag are
    written in step order. Returns the number of scalar events read but not written back (cut or
    duplicate); when that is 0 and no superseded file exists, nothing is touched.

    Crash safety (kill -9 at any instant; every step also survives power loss via fsyncs):
    (1) event files are renamed to ``superseded.*`` (no ``tfevents``: TensorBoard ignores them);
    a crash here leaves every original under exactly one of its two names, all of which the
    next call reads. (2) the kept records go to a temp file without ``tfevents``, fsynced, then
    ``os.replace``d to a fresh ``events.out.tfevents.<oldest stamp>.<host>.compacted<ns>`` name
    and the dir fsynced; a crash before the replace leaves only superseded sources (the temp
    file is overwritten next time), after it TensorBoard sees exactly the final content. (3) the
    superseded files are deleted; a crash here leaves the compacted file plus some of its own
    sources, whose duplicates the next call removes, so re-running with the same `keep`
    converges to the same content. TensorBoard never sees an original and a copy of it at once.
    """
    if not os.path.isdir(log_dir):
        return 0
    with os.scandir(log_dir) as entries:
        names = [
            e.name
            for e in entries
            if e.is_file() and (_EVENTS_MARK in e.name or e.name.startswith(_SUPERSEDED))
        ]
    names.sort(key=_original_name)
    merged, n_read = _merge(log_dir, names)
    kept = [
        (key, record)
        for key, record in merged.items()
        if not isinstance(key, tuple) or (key[0] in keep and key[1] <= keep[key[0]])
    ]
    n_written = sum(isinstance(key, tuple) for key, _ in kept)
    superseded = [n for n in names if n.startswith(_SUPERSEDED)]
    if n_written == n_read and not superseded:
        return 0
    _sort_each_tag(kept)
    stamp = min(_stamps([_original_name(n) for n in names]), default=int(time.time()))
    to_delete = [os.path.join(log_dir, n) for n in superseded]
    to_delete += [_supersede(log_dir, n) for n in names if not n.startswith(_SUPERSEDED)]
    compacted = f"events.out.tfevents.{stamp:010d}.{socket.gethostname()}.compacted{time.time_ns()}"
    _write_compacted(log_dir, [record for _, record in kept], compacted)
    _delete(to_delete)
    _fsync_dir(log_dir)
    return n_read - n_written


_Key = tuple[str, int] | bytes  # (tag, step) of a scalar; the event bytes of anything else


def _merge(log_dir: str, names: list[str]) -> tuple[dict[_Key, bytes], int]:
    """Records of all `names` by key, in read order, and the number of scalar values read.

    A scalar's last copy wins (the newest file's value); other events keep their first copy.
    Events carrying several values are split so each scalar can be cut alone.
    """
    merged: dict[_Key, bytes] = {}
    n_read = 0
    for name in names:
        for data, record in _read_records(os.path.join(log_dir, name)):
            event = event_pb2.Event.FromString(data)
            values = event.summary.value
            scalars = [v for v in values if _is_scalar(v)]
            if not scalars:
                merged.setdefault(data, record)
                continue
            rest = [v for v in values if not _is_scalar(v)]
            if rest:
                rest_data = _with_values(event, rest)
                merged.setdefault(rest_data, _record(rest_data))
            for value in scalars:
                n_read += 1
                key = (value.tag, event.step)
                single = len(values) == 1
                merged[key] = record if single else _record(_with_values(event, [value]))
    return merged, n_read


def _sort_each_tag(kept: list[tuple[_Key, bytes]]) -> None:
    """Put each tag's scalars in step order within the slots that tag occupies, whatever order
    the sources came in (e.g. originals re-read after a crash, next to their compacted copy)."""
    slots: dict[str, list[int]] = {}
    for i, (key, _) in enumerate(kept):
        if isinstance(key, tuple):
            slots.setdefault(key[0], []).append(i)
    for indices in slots.values():
        in_order = sorted((kept[i] for i in indices), key=lambda item: item[0][1])
        for i, item in zip(indices, in_order, strict=True):
            kept[i] = item


def _with_values(event: event_pb2.Event, values: list[summary_pb2.Summary.Value]) -> bytes:
    """`event` re-serialized with only `values` in its summary."""
    return event_pb2.Event(
        wall_time=event.wall_time, step=event.step, summary=summary_pb2.Summary(value=values)
    ).SerializeToString()
