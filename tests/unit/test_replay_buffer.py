"""Replay buffer: n-step windows against a plain-python reference, save/load round trips, bad files."""

import os

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.utils.checkpoint_io import CheckpointError

N, OBS = 3, 2


def make_stream(T: int, seed: int) -> list[dict[str, np.ndarray]]:
    """T steps of N envs with random episode ends; obs continue unless an episode ended."""
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(N, OBS)).astype(np.float32)
    rows = []
    for _ in range(T):
        terminated = rng.random(N) < 0.15
        truncated = ~terminated & (rng.random(N) < 0.1)
        final_obs = rng.normal(size=(N, OBS)).astype(np.float32)
        reset_obs = rng.normal(size=(N, OBS)).astype(np.float32)
        next_obs = np.where((terminated | truncated)[:, None], reset_obs, final_obs)
        rows.append({"obs": obs, "action": rng.integers(0, 2, N), "reward": rng.normal(size=N).astype(np.float32),
                     "terminated": terminated, "truncated": truncated, "final_obs": final_obs})
        obs = next_obs
    return rows


def as_rollout(rows: list[dict]) -> dict[str, np.ndarray]:
    return {k: np.stack([r[k] for r in rows]) for k in rows[0]}


def reference_target(rows: list[dict], t: int, i: int, nstep: int, gamma: float, q, ignore_done: bool = False) -> float:
    """Sum rewards of env i from step t until n steps, an episode end or the end of the data."""
    g, k = 0.0, 0
    while True:
        r = rows[t + k]
        g += gamma ** k * float(r["reward"][i])
        if r["terminated"][i] and not ignore_done:
            return g
        if r["terminated"][i] or r["truncated"][i] or k + 1 == nstep or t + k + 1 == len(rows):
            return g + gamma ** (k + 1) * q(r["final_obs"][i])
        k += 1


@pytest.mark.parametrize("nstep,ignore_done", [(1, False), (1, True), (3, False), (3, True), (5, False)])
def test_sampled_targets_match_the_reference_including_wraparound(nstep: int, ignore_done: bool) -> None:
    rows = make_stream(40, seed=0)
    buf = ReplayBuffer(50, (OBS,))  # 120 transitions pushed into 50 slots: wraps twice
    for start in range(0, 40, 4):
        buf.push(as_rollout(rows[start:start + 4]))
    assert len(buf) == 50 and buf.total == 120
    gamma = 0.9
    batch = buf.sample(256, nstep, gamma, torch.Generator().manual_seed(1), ignore_done)

    def q(o: np.ndarray) -> float:
        return float(o.sum())

    # Identify each sampled transition by its obs (unique floats) and recompute by hand.
    where = {tuple(r["obs"][i].tolist()): (t, i) for t, r in enumerate(rows) for i in range(N)}
    targets = batch["returns"] + batch["discount"] * batch["bootstrap_obs"].sum(1)
    oldest = (120 - 50) // N
    for b in range(256):
        t, i = where[tuple(batch["obs"][b].tolist())]
        assert t * N + i >= 70, "sampled a transition that was overwritten"
        assert t >= oldest
        assert batch["action"][b].item() == rows[t]["action"][i]
        assert targets[b].item() == pytest.approx(reference_target(rows, t, i, nstep, gamma, q, ignore_done),
                                                  rel=1e-5, abs=1e-5)


def test_rollout_that_does_not_continue_the_stream_cuts_windows() -> None:
    rows = make_stream(4, seed=3)
    for r in rows:
        r["terminated"][:] = False
        r["truncated"][:] = False
    buf = ReplayBuffer(100, (OBS,))
    buf.push(as_rollout(rows[:2]))
    restarted = [dict(r) for r in rows[2:]]
    restarted[0] = dict(restarted[0], obs=restarted[0]["obs"] + 1.0)  # envs were reset between collects
    buf.push(as_rollout(restarted))
    # the last transitions before the restart end their windows there (bootstrap from their own next obs)
    win = buf.windows(np.arange(N, 2 * N), nstep=3)
    assert win["truncated"][:, 0].all()
    assert not buf._data["truncated"][:N].any()


def test_continuing_rollouts_are_not_cut() -> None:
    rows = make_stream(6, seed=4)
    buf = ReplayBuffer(100, (OBS,))
    buf.push(as_rollout(rows[:3]))
    buf.push(as_rollout(rows[3:]))
    expected = np.stack([r["truncated"] for r in rows]).reshape(-1)
    assert (buf._data["truncated"][:18] == expected).all()


def test_save_writes_only_the_filled_part_and_round_trips(tmp_path) -> None:
    rows = make_stream(10, seed=5)
    buf = ReplayBuffer(100_000, (OBS,))
    buf.push(as_rollout(rows))
    path = tmp_path / "iteration_1.replay_buffer.pth.tar"
    buf.save(str(path))
    assert os.path.getsize(path) < 10_000  # 30 transitions, not 100k slots
    state = torch.load(path, weights_only=True)
    assert state["obs"].shape == (30, OBS) and state["total"] == 30
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left

    other = ReplayBuffer(100_000, (OBS,))
    other.load(str(path))
    assert len(other) == 30 and other.stride == N
    a = buf.sample(64, 3, 0.9, torch.Generator().manual_seed(7))
    b = other.sample(64, 3, 0.9, torch.Generator().manual_seed(7))
    for key in a:
        assert_close(a[key], b[key], rtol=0, atol=0)


def test_load_into_a_smaller_buffer_keeps_the_newest_transitions(tmp_path) -> None:
    rows = make_stream(20, seed=6)
    buf = ReplayBuffer(45, (OBS,))  # 60 pushed, wrapped
    for start in range(0, 20, 5):
        buf.push(as_rollout(rows[start:start + 5]))
    path = str(tmp_path / "b.pth.tar")
    buf.save(path)
    small = ReplayBuffer(30, (OBS,))
    small.load(path)
    assert len(small) == 30 and small.total == 60
    for g in range(30, 60):
        assert (small._data["obs"][g % 30] == buf._data["obs"][g % 45]).all()


def test_missing_truncated_and_corrupt_files_give_one_sentence_naming_the_file(tmp_path) -> None:
    buf = ReplayBuffer(100, (OBS,))
    buf.push(as_rollout(make_stream(5, seed=7)))
    path = tmp_path / "rb.pth.tar"
    buf.save(str(path))
    data = path.read_bytes()
    fresh = ReplayBuffer(100, (OBS,))
    with pytest.raises(CheckpointError, match="does not exist") as err:
        fresh.load(str(tmp_path / "nope.pth.tar"))
    assert "nope.pth.tar" in str(err.value)
    (tmp_path / "trunc.pth.tar").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupted") as err:
        fresh.load(str(tmp_path / "trunc.pth.tar"))
    assert "trunc.pth.tar" in str(err.value)
    (tmp_path / "junk.pth.tar").write_bytes(b"not a torch file at all")
    with pytest.raises(CheckpointError, match="junk.pth.tar"):
        fresh.load(str(tmp_path / "junk.pth.tar"))
    (tmp_path / "empty.pth.tar").write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty"):
        fresh.load(str(tmp_path / "empty.pth.tar"))
    assert len(fresh) == 0


def test_observation_shape_mismatch_is_refused(tmp_path) -> None:
    buf = ReplayBuffer(100, (OBS,))
    buf.push(as_rollout(make_stream(5, seed=8)))
    path = str(tmp_path / "rb.pth.tar")
    buf.save(path)
    with pytest.raises(CheckpointError, match=r"entry 'obs'.*\(15, 2\).*\(15, 4\)"):
        ReplayBuffer(100, (4,)).load(path)


def test_rollout_of_another_env_count_is_refused() -> None:
    buf = ReplayBuffer(100, (OBS,))
    buf.push(as_rollout(make_stream(2, seed=9)))
    bad = {k: v[:, :2] for k, v in as_rollout(make_stream(2, seed=10)).items()}
    with pytest.raises(ValueError, match="3 envs"):
        buf.push(bad)


def test_a_wrapped_buffer_loaded_into_a_larger_one_holds_only_real_transitions():
    small = ReplayBuffer(10, (1,))
    for t in range(5):  # 5 rows of 2 envs after 5 more: 20 pushed, the newest 10 held
        obs = np.array([[[t * 10.0]], [[t * 10.0 + 1]]], np.float32).reshape(1, 2, 1)
        small.push({"obs": obs, "final_obs": obs + 10, "action": np.zeros((1, 2), np.int64),
                    "reward": np.full((1, 2), t, np.float32), "terminated": np.zeros((1, 2), bool),
                    "truncated": np.zeros((1, 2), bool)})
    for t in range(5, 10):
        obs = np.array([[[t * 10.0]], [[t * 10.0 + 1]]], np.float32).reshape(1, 2, 1)
        small.push({"obs": obs, "final_obs": obs + 10, "action": np.zeros((1, 2), np.int64),
                    "reward": np.full((1, 2), t, np.float32), "terminated": np.zeros((1, 2), bool),
                    "truncated": np.zeros((1, 2), bool)})
    big = ReplayBuffer(100, (1,))
    big.load_state_dict(small.state_dict())
    assert len(big) == 10 and big.total == 10
    batch = big.sample(64, 2, 1.0, torch.Generator().manual_seed(0))
    assert set(batch["obs"].flatten().tolist()) <= {t * 10.0 + e for t in range(5, 10) for e in (0, 1)}
    # each env's next step is still N = 2 numbers on: 2-step returns add the next row's reward
    by_obs = dict(zip(batch["obs"].flatten().tolist(), batch["returns"].tolist(), strict=True))
    for obs, ret in by_obs.items():
        t = int(obs // 10)
        assert ret == (t + t + 1 if t < 9 else t)
