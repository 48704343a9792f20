"""The measuring half of bench/bench_buffer_checkpoint.py: buffers of the shipped configs' shapes filled and pushed
to, checkpoint saves and resume loads timed against one-array writes and plain disk reads, and SB3's
``save_to_pkl`` timed on a buffer of the same shapes. Kept apart so the CLI file holds only the run and its report."""
from __future__ import annotations

import gc
import io
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ding_lite.data.buffer_segments import listed_segments, remove_unlisted
from ding_lite.data.replay_buffer import ReplayBuffer
from ding_lite.utils.array_codec import encode_value

NEW, KEEP = 10_000, 5
SPECS = {  # name: obs shape, obs dtype, action shape, action dtype, envs
    "Pong": ((4, 84, 84), np.uint8, (), np.int64, 8),
    "Hopper": ((11,), np.float32, (3,), np.float32, 1),
}


def mem_available_gb() -> float:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("MemAvailable")) / 2**20


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else 0


def make(name: str, capacity: int) -> ReplayBuffer:
    obs, obs_dtype, act, act_dtype, _ = SPECS[name]
    return ReplayBuffer(capacity, obs, act, act_dtype, obs_dtype)


def fill(buf: ReplayBuffer, envs: int, rng: np.random.Generator) -> None:
    """The state of a buffer that has held ``capacity`` transitions: every array written (pages backed)."""
    cap = buf.capacity
    for key, arr in buf._data.items():
        if arr.dtype == bool:
            arr[:] = rng.random(len(arr)) < (0.001 if key == "terminated" else 0.0)
        elif key in ("obs", "next_obs"):
            arr[:] = rng.standard_normal(arr.shape, dtype=np.float32)
        else:
            arr[:] = rng.integers(0, 6, arr.shape) if arr.dtype.kind == "i" else rng.random(arr.shape)
    fs = buf.frames
    if fs is not None:
        fs._reset(envs, 0)
        block = rng.integers(0, 256, (4096, *fs.shape[1:]), dtype=np.uint8)
        for lo in range(0, len(fs.frames), len(block)):
            fs.frames[lo:lo + len(block)] = block[:len(fs.frames) - lo]
        fs.depth[:] = fs.channels - 1
        fs.end = cap
        for g in range(cap - 850 * envs, 0, -850 * envs):  # an episode end every ~850 agent steps per env
            fs.nexts[g] = block[g % len(block)]
        fs.nexts = dict(sorted(fs.nexts.items()))
    buf.total, buf.stride = cap, envs


def push_new(buf: ReplayBuffer, count: int, envs: int, rng: np.random.Generator) -> None:
    """``count`` transitions through ``push`` in rollouts of 96 per env-row block (continuing stacks for frames)."""
    obs_shape = buf.frames.shape if buf.frames is not None else buf._data["obs"].shape[1:]
    rows = count // envs
    for lo in range(0, rows, 512):
        T = min(512, rows - lo)
        if buf.frames is not None:
            frames = rng.integers(0, 256, (T + obs_shape[0], envs, *obs_shape[1:]), dtype=np.uint8)
            stacks = np.stack([frames[t:t + obs_shape[0]].swapaxes(0, 1) for t in range(T + 1)])
            obs, final = stacks[:-1], stacks[1:]
        else:
            obs = rng.standard_normal((T + 1, envs, *obs_shape), dtype=np.float32)
            obs, final = obs[:-1], obs[1:]
        act = buf._data["action"]
        buf.push({"obs": obs, "final_obs": final, "reward": rng.random((T, envs), dtype=np.float32),
                  "action": (rng.integers(0, 6, (T, envs)) if act.dtype.kind == "i"
                             else rng.random((T, envs, *act.shape[1:]), dtype=np.float32)),
                  "terminated": np.zeros((T, envs), bool), "truncated": np.zeros((T, envs), bool)})


def timed_save(buf: ReplayBuffer, seg: Path, manifest_path: Path) -> tuple[float, int, dict]:
    """One checkpoint's buffer part: the segment file (written and fsynced) and the manifest serialized as the
    checkpoint file holds it (in a run it rides in the checkpoint's own write and fsync, so no fsync of its own)."""
    before = dir_bytes(seg)
    start = time.perf_counter()
    manifest = buf.save_segments(str(seg))
    payload = io.BytesIO()
    torch.save(encode_value({"side_state": {"replay_buffer": manifest}}, "ckpt"), payload)
    seconds = time.perf_counter() - start
    manifest_path.write_bytes(payload.getvalue())
    return seconds, dir_bytes(seg) - before + len(payload.getvalue()), manifest


def one_array_seconds(nbytes: int, path: Path) -> float:
    data = np.ones(nbytes, np.uint8)
    start = time.perf_counter()
    with open(path, "wb") as f:
        np.save(f, data)
        f.flush()
        os.fsync(f.fileno())
    seconds = time.perf_counter() - start
    path.unlink()
    return seconds


def drop_cache(directory: Path) -> None:
    for p in directory.iterdir():
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def disk_read_seconds(directory: Path) -> float:
    """Plain sequential reads of every file (the page cache dropped first): the disk's own speed."""
    chunk = bytearray(64 << 20)
    start = time.perf_counter()
    for p in directory.iterdir():
        with open(p, "rb", buffering=0) as f:
            while f.readinto(chunk):
                pass
    return time.perf_counter() - start


def bench_ours(name: str, capacity: int, saves: int, work: Path) -> dict:
    envs = SPECS[name][4]
    rng = np.random.default_rng(0)
    buf = make(name, capacity)
    fill(buf, envs, rng)
    seg, ckpts = work / "ckpt", []
    full_s, full_b, manifest = timed_save(buf, seg, work / "m0.pth.tar")
    ckpts.append((work / "m0.pth.tar", manifest))
    per: list[tuple[float, int, float]] = []
    for i in range(1, saves + 1):
        push_new(buf, NEW, envs, rng)
        s, b, manifest = timed_save(buf, seg, work / f"m{i}.pth.tar")
        per.append((s, b, one_array_seconds(b, work / "one.npy")))  # paired: the same moment's disk
        ckpts.append((work / f"m{i}.pth.tar", manifest))
        for path, _ in ckpts[:-KEEP]:
            path.unlink()
        ckpts = ckpts[-KEEP:]
        remove_unlisted(str(seg), set().union(*(listed_segments(m) for _, m in ckpts)))
    seconds = statistics.median(s for s, _, _ in per)
    nbytes = int(statistics.median(b for _, b, _ in per))
    array_s = statistics.median(a for _, _, a in per)
    ratio = statistics.median(s / a for s, _, a in per)
    disk = dir_bytes(seg) + sum(p.stat().st_size for p, _ in ckpts)  # segments + manifests
    del buf
    gc.collect()
    drop_cache(seg)
    fresh = make(name, capacity)
    start = time.perf_counter()
    fresh.load_segments(manifest, str(seg), "bench")
    load_s = time.perf_counter() - start
    del fresh
    gc.collect()
    drop_cache(seg)
    read_s = disk_read_seconds(seg)
    shutil.rmtree(seg)
    return {"full_s": full_s, "full_b": full_b, "s": seconds, "b": nbytes, "array_s": array_s, "ratio": ratio,
            "disk": disk, "load_s": load_s, "read_s": read_s}


def bench_sb3(name: str, capacity: int, work: Path, max_gb: float) -> dict | str:
    import gymnasium as gym
    from stable_baselines3.common.buffers import ReplayBuffer as SB3Buffer
    from stable_baselines3.common.save_util import save_to_pkl

    obs_shape, _, act_shape, _, envs = SPECS[name]
    obs_space = (gym.spaces.Box(0, 255, obs_shape, np.uint8) if name == "Pong"
                 else gym.spaces.Box(-np.inf, np.inf, obs_shape, np.float64))  # Hopper-v5's observation space
    act_space = gym.spaces.Discrete(6) if name == "Pong" else gym.spaces.Box(-1, 1, act_shape, np.float32)
    need = 2 * capacity * np.prod(obs_shape) * obs_space.dtype.itemsize / 2**30
    if need > max_gb:
        return f"skipped: obs + next_obs need {need:.1f} GB (> {max_gb:g} GB guard; optimize_memory_usage halves it)"
    if need + 2 > mem_available_gb():
        return f"skipped: needs {need:.1f} GB, {mem_available_gb():.1f} GB available"
    rb = SB3Buffer(capacity, obs_space, act_space, device="cpu", n_envs=envs)
    rng = np.random.default_rng(0)
    for arr in (rb.observations, rb.next_observations, rb.actions, rb.rewards, rb.dones, rb.timeouts):
        flat = arr.reshape(len(arr), -1)
        for lo in range(0, len(flat), 4096):
            flat[lo:lo + 4096] = rng.integers(0, 255, flat[lo:lo + 4096].shape).astype(arr.dtype)
    rb.full, rb.pos = True, 0
    path = work / "sb3.pkl"
    start = time.perf_counter()
    save_to_pkl(path, rb)
    seconds = time.perf_counter() - start
    nbytes = path.stat().st_size
    path.unlink()
    del rb
    gc.collect()
    return {"s": seconds, "b": nbytes}
