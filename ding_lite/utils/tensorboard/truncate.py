"""Crash-safe truncation of a run's event files back to a checkpoint, cutting each tag alone.

Why per tag and not TensorBoard's own purge: see ``writer`` (a SessionLog.START purge is by
global step and would wipe the envstep-axis curves).
"""

import os
import socket
import time

from tensorboard.compat.proto import event_pb2, summary_pb2

from ding_lite.utils.tensorboard.records import (
    EVENTS_MARK,
    encode_record,
    fsync_dir,
    is_scalar,
    read_records,
    stamps,
)

_SUPERSEDED = "superseded."  # prefix of files being replaced by a truncation in progress
_TMP_NAME = ".compacting.tmp"  # no "tfevents": TensorBoard never reads a half-written file


def _original_name(name: str) -> str:
    """Event-file name a (possibly superseded) file had; sources are merged in this order."""
    if name.startswith(_SUPERSEDED):
        return name[len(_SUPERSEDED) :].replace("tf-events", EVENTS_MARK)
    return name


def _supersede(log_dir: str, name: str) -> str:
    """Step 1: hide an event file from TensorBoard, keeping it as a source."""
    new = os.path.join(log_dir, _SUPERSEDED + name.replace(EVENTS_MARK, "tf-events"))
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
    fsync_dir(log_dir)


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
            if e.is_file() and (EVENTS_MARK in e.name or e.name.startswith(_SUPERSEDED))
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
    stamp = min(stamps([_original_name(n) for n in names]), default=int(time.time()))
    to_delete = [os.path.join(log_dir, n) for n in superseded]
    to_delete += [_supersede(log_dir, n) for n in names if not n.startswith(_SUPERSEDED)]
    compacted = f"events.out.tfevents.{stamp:010d}.{socket.gethostname()}.compacted{time.time_ns()}"
    _write_compacted(log_dir, [record for _, record in kept], compacted)
    _delete(to_delete)
    fsync_dir(log_dir)
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
        for data, record in read_records(os.path.join(log_dir, name)):
            event = event_pb2.Event.FromString(data)
            values = event.summary.value
            scalars = [v for v in values if is_scalar(v)]
            if not scalars:
                merged.setdefault(data, record)
                continue
            rest = [v for v in values if not is_scalar(v)]
            if rest:
                rest_data = _with_values(event, rest)
                merged.setdefault(rest_data, encode_record(rest_data))
            for value in scalars:
                n_read += 1
                key = (value.tag, event.step)
                single = len(values) == 1
                merged[key] = record if single else encode_record(_with_values(event, [value]))
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
