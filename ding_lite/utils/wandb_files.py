"""Reads W&B's run files back (``wandb/offline-run-*/run-ID.wandb``, ``wandb/run-*/...``): what W&B really holds.

A resumed run asks them what W&B got from the sessions before (its service writes them in blocks, so a kill -9
loses the tail that was handed over but not yet written); the tests read them as ``wandb sync`` would upload them.
wandb >= 0.19 ships no Python reader: the file is W&B's 7-byte header (``:W&B``, magic 0xBEE1, version 0) and then
LevelDB's log format (32 KiB blocks; records of crc32c, length, type FULL/FIRST/MIDDLE/LAST) holding
``wandb_internal_pb2.Record`` protobufs.
"""
from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

BLOCK = 32 * 1024
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: Path) -> Iterator[bytes]:
    data = Path(path).read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B run file"
    pos, pending = HEADER, b""
    while pos + HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # a block's tail too short for a record header is padding
            pos += left
            continue
        _, length, kind = struct.unpack("<IHB", data[pos:pos + HEADER])
        if kind == 0:  # zero padding at the end of a block
            pos += left
            continue
        if pos + HEADER + length > len(data):  # the tail a killed writer left half-written
            return
        chunk = data[pos + HEADER:pos + HEADER + length]
        pos += HEADER + length
        if kind == FULL:
            yield chunk
        elif kind == FIRST:
            pending = chunk
        elif kind == MIDDLE:
            pending += chunk
        elif kind == LAST:
            yield pending + chunk


def run_files(wandb_dir: Path, run_id: str) -> list[Path]:
    """Every session's file of one run, oldest first (each session, offline or online, writes its own dir)."""
    files = Path(wandb_dir).glob(f"*run-*-{run_id}/run-{run_id}.wandb")
    return sorted(files, key=lambda p: p.parent.name.removeprefix("offline-"))


def held(wandb_dir: Path, run_id: str, axes: dict[str, str]) -> tuple[dict[str, int], int]:
    """What W&B holds of run ``run_id``: each key's last step on its axis (``axes``: a part of the key's name ->
    the row's axis key), and the last ``_step`` (-1 for none)."""
    last: dict[str, int] = {}
    last_step = -1
    for path in run_files(wandb_dir, run_id):
        for row in history(path):
            last_step = max(last_step, int(row.get("_step", -1)))
            for key in row:
                axis = next((name for part, name in axes.items() if part in key), None)
                if axis is not None and axis in row:
                    last[key] = max(last.get(key, -1), int(row[axis]))
    return last, last_step


def history(path: Path) -> list[dict]:
    """The rows the run logged, each a dict of key -> value (``_step`` included)."""
    from google.protobuf.message import DecodeError
    from wandb.proto import wandb_internal_pb2 as pb

    rows = []
    for raw in records(path):
        try:
            record = pb.Record.FromString(raw)
        except DecodeError:  # a damaged tail: what came before it stands
            break
        if record.WhichOneof("record_type") == "history":
            rows.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                         for item in record.history.item})
    return rows


def run_ids(path: Path) -> set[str]:
    from wandb.proto import wandb_internal_pb2 as pb

    ids = set()
    for raw in records(path):
        record = pb.Record.FromString(raw)
        if record.WhichOneof("record_type") == "run":
            ids.add(record.run.run_id)
    return ids


def config(path: Path) -> dict:
    """The run's config as its last config record left it (W&B stores each value as JSON under ``value``)."""
    from wandb.proto import wandb_internal_pb2 as pb

    out: dict = {}
    for raw in records(path):
        record = pb.Record.FromString(raw)
        kind = record.WhichOneof("record_type")
        updates = record.run.config.update if kind == "run" else record.config.update if kind == "config" else []
        for item in updates:
            out[item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
    return out
