"""Shared-frame image replay: every sampled obs / bootstrap_obs equals the two-array buffer's for the same pushes."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch.testing import assert_close

from ding_lite.data.prioritized import PrioritizedReplayBuffer
from ding_lite.data.replay_buffer import FORMAT, ReplayBuffer
from ding_lite.envs.wrappers import FrameStack
from ding_lite.utils.checkpoint_io import CheckpointError

N, C, H = 3, 4, 5
SHAPE = (C, H, H)


class Frames(gym.Env):
    """Random uint8 frames; episodes end (terminated or truncated) at random."""

    observation_space = gym.spaces.Box(0, 255, (H, H), np.uint8)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def frame(self) -> np.ndarray:
        return self.rng.integers(0, 4, (H, H), dtype=np.uint8)  # few values: equal frames happen too

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        return self.frame(), {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        u = self.rng.random()
        return self.frame(), float(u), bool(u < 0.08), bool(0.08 <= u < 0.13), {}


class Stream:
    """N FrameStack envs with the collectors' same-step autoreset (final_obs is the true last observation)."""

    def __init__(self, seed: int, odd: float = 0.0) -> None:
        self.envs = [FrameStack(Frames(seed * 10 + i), C) for i in range(N)]
        self.obs = np.stack([env.reset()[0] for env in self.envs])
        self.rng, self.odd = np.random.default_rng(seed), odd

    def rollout(self, T: int) -> dict[str, np.ndarray]:
        rows = []
        for _ in range(T):
            row = {"obs": self.obs.copy(), "action": self.rng.integers(0, 2, N), "reward": np.zeros(N, np.float32),
                   "terminated": np.zeros(N, bool), "truncated": np.zeros(N, bool), "final_obs": self.obs.copy()}
            for i, env in enumerate(self.envs):
                obs, reward, term, trunc, _ = env.step(0)
                row["reward"][i], row["terminated"][i], row["truncated"][i] = reward, term, trunc
                row["final_obs"][i] = obs
                if self.rng.random() < self.odd:  # an env that does not stack: unrelated final obs / next obs
                    row["final_obs"][i] = self.rng.integers(0, 4, SHAPE, dtype=np.uint8)
                self.obs[i] = env.reset()[0] if term or trunc else obs
                if self.rng.random() < self.odd:
                    self.obs[i] = self.rng.integers(0, 4, SHAPE, dtype=np.uint8)
            rows.append(row)
        return {k: np.stack([r[k] for r in rows]) for k in rows[0]}


def pair(capacity: int, cls: type = ReplayBuffer) -> tuple[ReplayBuffer, ReplayBuffer]:
    naive = cls(capacity, SHAPE, obs_dtype=np.uint8, share_frames=False)
    shared = cls(capacity, SHAPE, obs_dtype=np.uint8)
    assert naive.frames is None and shared.frames is not None
    return naive, shared


def push_both(buffers: tuple[ReplayBuffer, ...], rollout: dict[str, np.ndarray]) -> None:
    for buf in buffers:
        buf.push(rollout)


def assert_same(naive: ReplayBuffer, shared: ReplayBuffer) -> None:
    """Every held transition's batch for n = 1, 3, 5, then sampled batches with the same generator seeds."""
    assert (naive.total, len(naive), naive.stride) == (shared.total, len(shared), shared.stride)
    held = np.arange(naive.total - len(naive), naive.total)
    for nstep in (1, 3, 5):
        a, b = naive.batch(held, nstep, 0.9), shared.batch(held, nstep, 0.9)
        for key in a:
            assert_close(a[key], b[key], rtol=0, atol=0, msg=f"{key} nstep={nstep}")
        a = naive.sample(32, nstep, 0.9, torch.Generator().manual_seed(nstep))
        b = shared.sample(32, nstep, 0.9, torch.Generator().manual_seed(nstep))
        for key in a:
            assert_close(a[key], b[key], rtol=0, atol=0)


@pytest.mark.parametrize("capacity,odd", [(1000, 0.0), (50, 0.0), (47, 0.05), (12, 0.3)])
def test_samples_equal_the_two_array_buffer_across_ends_truncations_and_wraparound(capacity: int, odd: float) -> None:
    naive, shared = pair(capacity)
    stream = Stream(seed=capacity, odd=odd)
    ends = np.zeros(2, int)
    for _ in range(25):
        rollout = stream.rollout(4)
        ends += rollout["terminated"].sum(), rollout["truncated"].sum()
        push_both((naive, shared), rollout)
        assert_same(naive, shared)
    assert (ends > 0).all()


def test_a_frame_stack_env_keeps_each_frame_once() -> None:
    naive, shared = pair(10_000)
    stream = Stream(seed=1)
    for _ in range(50):
        push_both((naive, shared), stream.rollout(8))
    frames = shared.frames
    assert not frames.anchors  # resets repeat one frame, every other stack continues the previous one
    ended = np.flatnonzero(naive._data["terminated"][:naive.total] | naive._data["truncated"][:naive.total])
    assert sorted(frames.nexts) == sorted([*ended.tolist(), *range(naive.total - N, naive.total)])
    assert all(v.shape == (H, H) for v in frames.nexts.values())  # a final obs costs one frame
    two_arrays = naive._data["obs"][:len(naive)].nbytes + naive._data["next_obs"][:len(naive)].nbytes
    assert frames.nbytes < 0.2 * two_arrays and shared.nbytes - frames.nbytes == naive.nbytes - two_arrays
    assert_same(naive, shared)


def test_a_rollout_that_does_not_continue_keeps_its_history_and_cuts_windows() -> None:
    naive, shared = pair(200)
    push_both((naive, shared), Stream(seed=2).rollout(6))
    other = Stream(seed=3)
    other.rollout(5)  # mid-episode stacks of other envs: no stored history
    push_both((naive, shared), other.rollout(6))
    assert shared.frames.anchors  # the stacks without history are kept whole
    assert (naive._data["truncated"] == shared._data["truncated"]).all()
    assert_same(naive, shared)
    push_both((naive, shared), other.rollout(30))  # wraps past the anchors
    assert_same(naive, shared)


@pytest.mark.parametrize("capacity,load_capacity", [(60, 60), (60, 25), (300, 500), (500, 60)])
def test_side_file_round_trip_at_any_capacity_then_more_pushes(tmp_path, capacity: int, load_capacity: int) -> None:
    naive, shared = pair(capacity)
    stream = Stream(seed=4, odd=0.05)
    for _ in range(30):
        push_both((naive, shared), stream.rollout(3))
    path = str(tmp_path / "rb.pth.tar")
    shared.save(path)
    assert torch.load(path, weights_only=True)["format"] == "ding_lite.replay_buffer/2"
    naive.save(str(tmp_path / "naive.pth.tar"))
    a, b = pair(load_capacity)
    a.load(str(tmp_path / "naive.pth.tar"))
    b.load(path)
    assert_same(a, b)
    rollout = stream.rollout(4)
    push_both((a, b), rollout)
    assert_same(a, b)


def test_format_1_side_files_still_load_and_flat_buffers_refuse_shared_frames(tmp_path) -> None:
    naive, shared = pair(40)
    stream = Stream(seed=5, odd=0.05)
    for _ in range(20):
        push_both((naive, shared), stream.rollout(3))
    old = str(tmp_path / "old.pth.tar")
    naive.save(old)
    assert torch.load(old, weights_only=True)["format"] == FORMAT  # the two-array buffer writes format 1 as before
    for capacity in (40, 30):
        reference, reloaded = pair(capacity)
        reference.load(old)
        reloaded.load(old)
        assert_same(reference, reloaded)
        push_both((reference, reloaded), stream.rollout(2))
        assert_same(reference, reloaded)
    new = str(tmp_path / "new.pth.tar")
    shared.save(new)
    with pytest.raises(CheckpointError, match="new.pth.tar holds shared image frames"):
        naive.load(new)
    with pytest.raises(CheckpointError, match=r"entry 'frames.frames' holds \(5, 5\) uint8 frames.*\(6, 6\)"):
        ReplayBuffer(40, (C, 6, 6), obs_dtype=np.uint8).load(new)


def test_prioritized_replay_samples_the_same_with_shared_frames() -> None:
    naive, shared = pair(64, PrioritizedReplayBuffer)
    stream = Stream(seed=6)
    for step in range(20):
        push_both((naive, shared), stream.rollout(4))
        a = naive.sample(16, 3, 0.99, torch.Generator().manual_seed(step))
        b = shared.sample(16, 3, 0.99, torch.Generator().manual_seed(step))
        for key in a:
            assert_close(a[key], b[key], rtol=0, atol=0)
        errors = np.random.default_rng(step).random(16)
        naive.update_priorities(a["numbers"].numpy(), errors)
        shared.update_priorities(b["numbers"].numpy(), errors)


def test_flat_and_single_channel_observations_keep_two_arrays() -> None:
    assert ReplayBuffer(10, (4,)).frames is None
    assert ReplayBuffer(10, (1, 84, 84), obs_dtype=np.uint8).frames is None
    assert ReplayBuffer(10, (4, 84, 84), obs_dtype=np.float32).frames is None
    with pytest.raises(ValueError, match="uint8"):
        ReplayBuffer(10, (4, 84, 84), share_frames=True)
