"""TFRecord framing (length, masked CRC32C) and the event-file listing TensorBoard relies on.

TensorBoard behaviour relied on here (tensorboard 2.21, ``EventAccumulator`` and
``DirectoryWatcher``): only files whose basename contains ``tfevents`` are read, in sorted name
order, and a file that sorts before the one being watched is never read. So a new writer's file
gets a time stamp larger than any existing file's, and a compacted file keeps the oldest stamp
of its sources: the continuation of a run always sorts after what precedes it.
"""

import os
import re
import struct
from collections.abc import Iterator
from functools import lru_cache

from tensorboard.compat.proto import summary_pb2

EVENTS_MARK = "tfevents"  # TensorBoard's io_wrapper.IsTensorFlowEventsFile test on the basename
_STAMP = re.compile(r"tfevents\.(\d+)")


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        for _ in range(8):
            n = (n >> 1) ^ (0x82F63B78 if n & 1 else 0)
        table.append(n)
    return tuple(table)


_CRC_TABLE = _crc_table()


def masked_crc32c(data: bytes) -> int:
    """CRC32C masked as TFRecord does (so readers verify every record)."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


@lru_cache(maxsize=4096)
def record_header(length: int) -> bytes:
    """TFRecord header (length + its CRC); cached, as events of one tag share a length."""
    header = struct.pack("<Q", length)
    return header + struct.pack("<I", masked_crc32c(header))


def encode_record(data: bytes) -> bytes:
    """Frame one serialized Event as a TFRecord."""
    return record_header(len(data)) + data + struct.pack("<I", masked_crc32c(data))


def read_records(path: str) -> Iterator[tuple[bytes, bytes]]:
    """Yield (event bytes, whole record) of a TFRecord file, stopping at the first torn or
    corrupt record: a kill -9 during a write leaves at most a partial last record, which
    TensorBoard cannot read either."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos + 12 <= len(buf):
        (length,) = struct.unpack_from("<Q", buf, pos)
        end = pos + 12 + length + 4
        if end > len(buf) or buf[pos : pos + 12] != record_header(length):
            return
        data = buf[pos + 12 : end - 4]
        if struct.unpack_from("<I", buf, end - 4)[0] != masked_crc32c(data):
            return
        yield data, buf[pos:end]
        pos = end


def fsync_dir(path: str) -> None:
    """Make renames/creations/deletions in `path` durable (POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def event_files(log_dir: str) -> list[str]:
    """Names of the event files TensorBoard reads in `log_dir` (not recursive), sorted."""
    with os.scandir(log_dir) as entries:
        return sorted(e.name for e in entries if EVENTS_MARK in e.name and e.is_file())


def stamps(names: list[str]) -> list[int]:
    """The time stamps in event-file names (``events.out.tfevents.<stamp>.<host>...``)."""
    return [int(m.group(1)) for m in map(_STAMP.search, names) if m]


def is_scalar(value: summary_pb2.Summary.Value) -> bool:
    """Scalars as EventAccumulator.Scalars sees them (simple_value); tensor-encoded
    summaries (text, TF2-style scalars) are not truncated."""
    return value.HasField("simple_value")


def scalar_points(log_dir: str) -> dict[str, list[tuple[int, float]]]:
    """tag -> [(step, value)] of every scalar in ``log_dir``'s event files, in the order they were written."""
    from tensorboard.compat.proto import event_pb2

    points: dict[str, list[tuple[int, float]]] = {}
    for name in event_files(log_dir):
        for data, _ in read_records(os.path.join(log_dir, name)):
            event = event_pb2.Event.FromString(data)
            for value in event.summary.value:
                if is_scalar(value):
                    points.setdefault(value.tag, []).append((event.step, value.simple_value))
    return points
