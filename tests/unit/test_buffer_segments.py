"""Incremental buffer saves: every manifest restores exactly the state it was taken from (flat, frames,
priorities, wrap-around, other capacities), segments hold only new data, damaged segments are one sentence."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from ding_lite.data.buffer_segments import listed_segments, remove_unlisted
from ding_lite.data.prioritized import PrioritizedReplayBuffer
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.data.segment_file import read_segment
from ding_lite.utils.checkpoint_io import CheckpointError
from tests.unit.test_frame_storage import SHAPE, Stream
from tests.unit.test_replay_buffer import OBS, N, as_rollout, make_stream


def view(buf: ReplayBuffer) -> dict[str, np.ndarray]:
    """Everything a learner can read from the buffer, for every held transition."""
    numbers = np.arange(buf.total - len(buf), buf.total)
    slots = numbers % buf.capacity
    out = {"counts": np.array([buf.total, len(buf), buf.stride]), "obs": buf._obs(numbers),
           "next_obs": buf._next_obs(numbers)}
    out.update({k: v[slots] for k, v in buf._data.items() if k not in ("obs", "next_obs")})
    if isinstance(buf, PrioritizedReplayBuffer):
        out["priority"] = buf._sum[slots]
        out["meta"] = np.array([buf.max_priority, buf.sample_count, buf._min.min()])
    return out


def assert_same(a: ReplayBuffer, b: ReplayBuffer) -> None:
    va, vb = view(a), view(b)
    assert va.keys() == vb.keys()
    for key in va:
        np.testing.assert_array_equal(va[key], vb[key], err_msg=key)


def flat(capacity: int, prioritized: bool = False) -> ReplayBuffer:
    if prioritized:
        return PrioritizedReplayBuffer(capacity, (OBS,), alpha=0.6)
    return ReplayBuffer(capacity, (OBS,))


def frames(capacity: int) -> ReplayBuffer:
    return ReplayBuffer(capacity, SHAPE, obs_dtype=np.uint8)


def flat_rollouts(seed: int) -> list[dict]:
    rows = make_stream(60, seed)
    return [as_rollout(rows[i:i + 4]) for i in range(0, 60, 4)]


def frame_rollouts(seed: int) -> list[dict]:
    stream = Stream(seed, odd=0.05)
    return [stream.rollout(4) for _ in range(15)]


def touch_priorities(buf: ReplayBuffer, step: int) -> None:
    if isinstance(buf, PrioritizedReplayBuffer):
        gen = torch.Generator().manual_seed(step)
        batch = buf.sample(8, 1, 0.9, gen)
        buf.update_priorities(batch["numbers"].numpy(), np.random.default_rng(step).random(8))


CASES = {"flat": (flat, flat_rollouts), "frames": (frames, frame_rollouts),
         "prioritized": (lambda cap: flat(cap, True), flat_rollouts)}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("capacity", [1000, 50])  # never wraps; wraps several times
def test_every_manifest_restores_its_state_then_keeps_going_the_same(tmp_path, case, capacity):
    make, rollouts = CASES[case]
    seg = str(tmp_path / "segments")
    buf, saved = make(capacity), []
    for i, rollout in enumerate(rollouts(0)):
        buf.push(rollout)
        touch_priorities(buf, i)
        if i % 3 == 2:
            saved.append((i, buf.save_segments(seg), {k: v.copy() for k, v in view(buf).items()}))
    listed = set().union(*(listed_segments(m) for _, m, _ in saved))
    assert listed == {f for f in os.listdir(seg)}
    for i, manifest, snapshot in saved:
        fresh = make(capacity)
        fresh.load_segments(manifest, seg, f"iteration_{i}")
        got = view(fresh)
        for key in snapshot:
            np.testing.assert_array_equal(got[key], snapshot[key], err_msg=key)
    # the restored buffer continues as the original: same pushes (one that does not continue the stream too)
    i, manifest, _ = saved[1]
    restored, reference = make(capacity), make(capacity)
    restored.load_segments(manifest, seg, "iteration_x")
    for j, rollout in enumerate(rollouts(0)[:i + 1]):
        reference.push(rollout)
        touch_priorities(reference, j)
    for j, rollout in enumerate(rollouts(7)[:5]):
        for b in (restored, reference):
            b.push(rollout)
            touch_priorities(b, 100 + j)
        assert_same(restored, reference)
    again = make(capacity)
    again.load_segments(restored.save_segments(seg), seg, "iteration_y")  # shares the segments it was loaded from
    assert_same(again, reference)


def test_each_save_writes_only_the_new_transitions(tmp_path):
    buf = ReplayBuffer(10_000, (OBS,))
    rolls = flat_rollouts(1)
    seg = tmp_path / "s"
    buf.push(rolls[0])
    first = buf.save_segments(str(seg))
    buf.push(rolls[1])
    buf.push(rolls[2])
    second = buf.save_segments(str(seg))
    assert [s[1:] for s in first["segments"]] == [[0, 4 * N - N]]  # the newest row stays in the manifest
    assert [s[1:] for s in second["segments"]] == [[0, 3 * N], [3 * N, 12 * N - N]]
    meta, arrays = read_segment(str(seg / second["segments"][1][0]), "iteration_2")
    assert len(arrays["obs"]) == 12 * N - N - 3 * N and meta["lo"] == 3 * N
    third = buf.save_segments(str(seg))  # nothing new: no new file
    assert third["segments"] == second["segments"] and len(os.listdir(seg)) == 2


def test_a_wrapped_ring_drops_segments_no_state_needs(tmp_path):
    buf = ReplayBuffer(30, (OBS,))
    seg = str(tmp_path / "s")
    for rollout in flat_rollouts(2):
        buf.push(rollout)
        manifest = buf.save_segments(seg)
    assert min(s[2] for s in manifest["segments"]) > buf.total - len(buf)
    removed = remove_unlisted(seg, listed_segments(manifest))
    assert removed and set(os.listdir(seg)) == listed_segments(manifest)
    fresh = ReplayBuffer(30, (OBS,))
    fresh.load_segments(manifest, seg, "iteration_9")
    assert_same(fresh, buf)


@pytest.mark.parametrize("load_capacity", [10, 200])
def test_other_capacity_on_resume(tmp_path, load_capacity):
    buf = ReplayBuffer(50, (OBS,))
    for rollout in flat_rollouts(3):
        buf.push(rollout)
    manifest = buf.save_segments(str(tmp_path))
    fresh, reference = ReplayBuffer(load_capacity, (OBS,)), ReplayBuffer(load_capacity, (OBS,))
    fresh.load_segments(manifest, str(tmp_path), "iteration_1")
    reference.load_state_dict(buf.state_dict())
    assert_same(fresh, reference)


def test_frame_buffer_cannot_grow_after_wrapping(tmp_path):
    buf = frames(20)
    for rollout in frame_rollouts(4):
        buf.push(rollout)
    manifest = buf.save_segments(str(tmp_path))
    with pytest.raises(CheckpointError, match=r"in checkpoint iteration_5 had wrapped around its 20 slots"):
        frames(40).load_segments(manifest, str(tmp_path), "iteration_5")


def test_missing_or_damaged_segment_is_one_sentence_naming_file_and_checkpoint(tmp_path):
    buf = frames(1000)
    for rollout in frame_rollouts(5):
        buf.push(rollout)
    manifest = buf.save_segments(str(tmp_path))
    path = tmp_path / manifest["segments"][0][0]
    data = path.read_bytes()
    for damage, why in ((lambda: path.unlink(), "is missing"),
                        (lambda: path.write_bytes(data[:len(data) // 2]), "is truncated"),
                        (lambda: path.write_bytes(b"junk" + data[4:]), "is not a ding_lite segment file"),
                        (lambda: path.write_bytes(b""), "is not a ding_lite segment file")):
        damage()
        with pytest.raises(CheckpointError) as err:
            frames(1000).load_segments(manifest, str(tmp_path), "ckpt/iteration_40.pth.tar")
        message = str(err.value)
        assert message.startswith(f"Replay buffer segment {path}, needed by checkpoint ckpt/iteration_40.pth.tar, "
                                  f"{why}")
        assert message.count(". ") == 0 and message.endswith(".")
        path.write_bytes(data)


def test_segments_load_without_running_code_and_refuse_object_dtypes(tmp_path):
    buf = flat(100)
    for rollout in flat_rollouts(6):
        buf.push(rollout)
    manifest = buf.save_segments(str(tmp_path))
    path = tmp_path / manifest["segments"][0][0]
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"<f4"', b'"|O8"', 1))
    with pytest.raises(CheckpointError, match="has a damaged header"):
        flat(100).load_segments(manifest, str(tmp_path), "iteration_1")


def test_pruning_keeps_exactly_what_kept_checkpoints_best_included_list(tmp_path):
    """SideState.prune: a segment goes once no kept checkpoint (periodic or best) nor the buffer lists it."""
    from ding_lite.pipeline.side_state import SideState
    from ding_lite.utils.checkpoint_io import save_checkpoint

    buf = ReplayBuffer(40, (OBS,))
    side = SideState(tmp_path, {"replay_buffer": buf}, log=lambda m: None, note=lambda m: None)
    rolls = flat_rollouts(8)
    saved = {}
    for i, rollout in enumerate(rolls[:6]):
        buf.push(rollout)
        name = "ckpt_best.pth.tar" if i == 1 else f"iteration_{i}.pth.tar"
        saved[name] = side.save(True)
        save_checkpoint({"side_state": saved[name]}, str(tmp_path / name))
        for old in sorted(tmp_path.glob("iteration_*.pth.tar"), key=lambda p: int(p.stem.split("_")[1].split(".")[0]))[:-2]:
            old.unlink()  # max_ckpt_keep=2
        side.prune()
        kept = [p.name for p in tmp_path.glob("*.pth.tar")]
        listed = set().union(*(listed_segments(saved[k]["replay_buffer"]) for k in kept))
        assert {p.name for p in tmp_path.glob("*.seg")} == listed | buf.segment_log.names()
    best = saved["ckpt_best.pth.tar"]["replay_buffer"]
    first = best["segments"][0][0]
    assert (tmp_path / first).exists()  # only the best checkpoint still needs it
    assert all(first not in listed_segments(saved[f"iteration_{i}.pth.tar"]["replay_buffer"]) for i in (4, 5))
    fresh = ReplayBuffer(40, (OBS,))
    fresh.load_segments(best, str(tmp_path), "ckpt_best.pth.tar")  # best stays resumable
    assert fresh.total == best["total"]
    (tmp_path / "ckpt_best.pth.tar").unlink()
    side.prune()
    assert not (tmp_path / first).exists()
