"""Exact resume: envs restored by ding_lite.envs.state replay bit-identically."""

import warnings
from collections import deque

import gymnasium as gym
import numpy as np
import pytest
import torch

from ding_lite.envs.state import ADAPTERS, EnvStateUnsupported, StateAdapter, can_capture, capture, restore
from ding_lite.utils.checkpoint_io import load_checkpoint, save_checkpoint

CONTINUE_STEPS = 50


def make(env_id: str, **kwargs) -> gym.Env:
    with warnings.catch_warnings():  # CartPole-v0 is deprecated, on purpose
        warnings.simplefilter("ignore")
        return gym.make(env_id, **kwargs)


def make_vec(mode: str = "vector_entry_point") -> gym.vector.VectorEnv:
    # A short time limit so that truncations (the per-env step counters) are exercised.
    return gym.make_vec("CartPole-v1", num_envs=4, vectorization_mode=mode, max_episode_steps=20)


def torch_roundtrip(state: dict, tmp_path) -> dict:
    path = tmp_path / "env_state.pt"
    torch.save(state, path)
    return torch.load(path, weights_only=True)


def assert_same(expected: list, actual: list) -> None:
    """Bit-identical records: same kinds, types, dtypes and values."""
    assert len(expected) == len(actual)
    for i, (exp, act) in enumerate(zip(expected, actual, strict=True)):
        assert len(exp) == len(act), i
        for e, a in zip(exp, act, strict=True):
            assert type(e) is type(a), (i, e, a)
            if isinstance(e, np.ndarray | np.generic):
                assert e.dtype == a.dtype, (i, e, a)
                np.testing.assert_array_equal(e, a, err_msg=f"record {i}")
            else:
                assert e == a, (i, e, a)


def run_single(env: gym.Env, steps: int) -> tuple[list, int]:
    """Step with actions from the env's own (seeded) action space, resetting on done."""
    records, episodes_ended = [], 0
    for _ in range(steps):
        action = env.action_space.sample()
        obs, reward, terminated, truncated, _ = env.step(action)
        records.append(("step", action, obs, reward, terminated, truncated))
        if terminated or truncated:
            episodes_ended += 1
            obs, _ = env.reset()
            records.append(("reset", obs))
    return records, episodes_ended


def run_vector(env: gym.vector.VectorEnv, steps: int) -> tuple[list, int, int]:
    """Step with actions from the env's seeded action space; count terminations and
    truncations (sub-envs autoreset by themselves)."""
    records, terminated, truncated = [], 0, 0
    for _ in range(steps):
        action = env.action_space.sample()
        obs, rewards, terminations, truncations, _ = env.step(action)
        records.append(("step", action, obs, rewards, terminations, truncations))
        terminated += int(terminations.sum())
        truncated += int(truncations.sum())
    return records, terminated, truncated


@pytest.mark.parametrize(
    "env_id",
    ["CartPole-v0", "CartPole-v1", "Pendulum-v1", "Acrobot-v1", "MountainCar-v0"],
)
def test_single_env_resumes_exactly(env_id, tmp_path):
    env = make(env_id)
    env.reset(seed=3)
    env.action_space.seed(4)
    # Bad constant action until the first episode ends (CartPole falls within ~10
    # steps, the others hit their time limit), then reset without a seed (env RNG).
    bad_action = env.action_space.sample()
    terminated = truncated = False
    first_episode_steps = 0
    while not (terminated or truncated):  # the time limit ends it at the latest
        _, _, terminated, truncated, _ = env.step(bad_action)
        first_episode_steps += 1
    if env_id.startswith("CartPole"):
        assert terminated and first_episode_steps < 50
    env.reset()
    # Stop 25 steps short of the time limit so the continuation crosses an episode end
    # even for envs that only truncate (Pendulum, MountainCar, Acrobot).
    run_single(env, env.spec.max_episode_steps - 25)
    state = capture(env)
    expected, episodes_ended = run_single(env, CONTINUE_STEPS)
    assert episodes_ended >= 1

    # Saved after the original kept running: the state must not alias the live env.
    loaded = torch_roundtrip(state, tmp_path)
    resumed = make(env_id)
    restore(resumed, loaded)
    actual, _ = run_single(resumed, CONTINUE_STEPS)
    assert_same(expected, actual)


@pytest.mark.parametrize("capture_right_after_done", [False, True])
@pytest.mark.parametrize("mode", ["vector_entry_point", "sync"])
def test_vector_env_resumes_exactly(mode, capture_right_after_done, tmp_path):
    env = make_vec(mode)
    env.reset(seed=11)
    env.action_space.seed(12)
    ones = np.ones(env.num_envs, dtype=np.int64)
    for _ in range(100):  # pushing right: every sub-env's pole falls
        _, _, terminations, _, _ = env.step(ones)
        if terminations.any():
            break
    assert terminations.any()
    if not capture_right_after_done:
        # Step on, so that the pending NEXT_STEP autoreset happens before the capture.
        run_vector(env, 7)
    if mode == "vector_entry_point":
        assert env.unwrapped.prev_done.any() == capture_right_after_done
    state = capture(env)
    expected, terminated, truncated = run_vector(env, CONTINUE_STEPS)
    assert terminated >= 1 and truncated >= 1

    resumed = make_vec(mode)
    restore(resumed, torch_roundtrip(state, tmp_path))
    actual, _, _ = run_vector(resumed, CONTINUE_STEPS)
    assert_same(expected, actual)


def test_vector_wrapper_deques_are_restored(tmp_path):
    def make_recorded():
        return gym.wrappers.vector.RecordEpisodeStatistics(make_vec(), buffer_length=500)

    env = make_recorded()
    env.reset(seed=0)
    env.action_space.seed(1)
    run_vector(env, 60)
    saved_returns, saved_lengths = list(env.return_queue), list(env.length_queue)
    assert saved_returns
    state = capture(env)
    expected, _, _ = run_vector(env, CONTINUE_STEPS)

    resumed = make_recorded()
    restore(resumed, torch_roundtrip(state, tmp_path))
    assert type(resumed.return_queue) is deque and resumed.return_queue.maxlen == 500
    assert list(resumed.return_queue) == saved_returns
    assert list(resumed.length_queue) == saved_lengths
    actual, _, _ = run_vector(resumed, CONTINUE_STEPS)
    assert_same(expected, actual)
    assert list(resumed.return_queue) == list(env.return_queue)


def test_state_restores_into_several_envs_and_used_envs():
    env = make("CartPole-v1")
    env.reset(seed=5)
    env.action_space.seed(6)
    run_single(env, 30)
    state = capture(env)
    expected, _ = run_single(env, CONTINUE_STEPS)

    for _ in range(2):  # the same in-memory state, twice: restoring must not consume it
        resumed = make("CartPole-v1")
        resumed.reset(seed=99)
        run_single(resumed, 13)  # already used env with different RNG/episode state
        restore(resumed, state)
        actual, _ = run_single(resumed, CONTINUE_STEPS)
        assert_same(expected, actual)


def test_never_reset_env_restores_as_never_reset():
    fresh = make("Pendulum-v1")
    state = capture(fresh)
    used = make("Pendulum-v1")
    used.reset(seed=1)
    used.step(np.zeros(1, dtype=np.float32))
    restore(used, state)
    assert "state" not in vars(used.unwrapped)
    assert used.unwrapped._np_random is None
    with pytest.raises(gym.error.ResetNeeded):
        used.step(np.zeros(1, dtype=np.float32))


class _SimEnv(gym.Env):
    """An env holding a simulator handle that has no plain-data representation."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (2,))
    action_space = gym.spaces.Discrete(2)

    def __init__(self, sim: object | None = None) -> None:
        self.sim = object() if sim is None else sim
        self.pos = np.zeros(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self.pos.astype(np.float32), {}

    def step(self, action):
        self.pos += 0.1
        return self.pos.astype(np.float32), 0.0, False, False, {}


def test_unsupported_attribute_is_named():
    env = gym.wrappers.TimeLimit(_SimEnv(), max_episode_steps=10)
    assert not can_capture(env)
    with pytest.raises(EnvStateUnsupported, match=r"_SimEnv.*'sim'"):
        capture(env)
    assert can_capture(make("CartPole-v1"))


@pytest.mark.parametrize(
    "sim, attribute",
    [
        (lambda: None, "'sim'"),
        (deque([object()]), r"'sim\[0\]'"),
        ({object(): 1}, "'sim'.*non-plain key"),
        ({(1, 2): 1}, "'sim'.*non-plain key"),
        ({1, (2,)}, "'sim'"),
        (np.array([object()]), "'sim'.*python objects"),
    ],
)
def test_unsupported_nested_values(sim, attribute):
    with pytest.raises(EnvStateUnsupported, match=attribute):
        capture(_SimEnv(sim))


def test_shared_objects_stay_shared_and_overlapping_views_are_refused():
    env = _SimEnv(sim=None)
    del env.sim
    env.history = [env.pos]  # same array object twice
    env.log = env.history  # same list object twice
    restored = _SimEnv(sim=None)
    del restored.sim
    restore(restored, capture(env))
    assert restored.history[0] is restored.pos and restored.log is restored.history

    env.history = [env.pos[1:]]  # a view into pos: sharing cannot be reproduced
    with pytest.raises(EnvStateUnsupported, match="overlapping"):
        capture(env)


def test_plain_values_keep_types_dtypes_and_layout():
    env = _SimEnv(sim=None)
    del env.sim
    env.extra = {
        "f32": np.float32(0.1),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
        "empty": np.zeros((0, 3), dtype=np.uint8),
        "record": np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8", (2,))]),
        "text": np.array(["ab", "c"]),
        7: {1, "k", None},
        "nested": ([1.5, None, b"x"], {"t": (True, 2**70, 1 + 2j)}),
    }
    restored = _SimEnv(sim=None)
    del restored.sim
    restore(restored, capture(env))
    for key, value in env.extra.items():
        got = restored.extra[key]
        assert type(got) is type(value)
        if isinstance(value, np.ndarray | np.generic):
            assert got.dtype == value.dtype and got.shape == value.shape
            np.testing.assert_array_equal(got, value)
        else:
            assert got == value
    assert restored.extra["fortran"].flags.f_contiguous
    assert restored.extra["fortran"].flags.writeable


def test_generators_and_composite_space_rngs_are_restored():
    def make_env():
        env = _SimEnv(sim=None)
        del env.sim
        env.goal_space = gym.spaces.Dict({"xy": gym.spaces.Box(-1.0, 1.0, (2,)), "k": gym.spaces.Discrete(3)})
        return env

    env = make_env()
    env.goal_space.seed(7)
    env.mt = np.random.Generator(np.random.MT19937(3))
    env.philox = np.random.Generator(np.random.Philox(4))
    # Advance every RNG first; a uint32 draw leaves half a word buffered in the state.
    env.goal_space.sample()
    env.mt.random(5)
    env.philox.integers(0, 10, dtype=np.uint32)
    env.philox.normal()
    state = capture(env)
    expected = [env.goal_space.sample(), env.mt.random(5), env.philox.normal()]
    restored = make_env()
    restore(restored, state)
    actual = [restored.goal_space.sample(), restored.mt.random(5), restored.philox.normal()]
    for e, a in zip(expected[0].values(), actual[0].values(), strict=True):
        np.testing.assert_array_equal(e, a)
    np.testing.assert_array_equal(expected[1], actual[1])
    assert expected[2] == actual[2]


def test_mismatched_chain_is_a_clear_error():
    state = capture(make("CartPole-v1"))
    with pytest.raises(ValueError, match=r"CartPoleEnv.*restored into.*PendulumEnv"):
        restore(make("Pendulum-v1"), state)
    target = make("CartPole-v1", disable_env_checker=True)
    with pytest.raises(ValueError, match="PassiveEnvChecker"):
        restore(target, state)
    with pytest.raises(ValueError, match="version"):
        restore(make("CartPole-v1"), {"version": 0})


def test_state_survives_the_checkpoint_file_with_exact_dtypes_and_layout(tmp_path):
    """The pipeline's path: save_checkpoint / load_checkpoint, not a bare torch.save."""
    env = _SimEnv(sim=None)
    del env.sim
    env.extra = {
        "big_endian": np.arange(3, dtype=">f8"),
        "record": np.ones(2, dtype=[("a", ">f4"), ("b", "<i8", (2,))]),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
        "u8": np.uint8(7),
    }
    env.same = env.extra["fortran"]
    path = tmp_path / "iteration_1.pth.tar"
    save_checkpoint({"env": capture(env)}, str(path))
    restored = _SimEnv(sim=None)
    del restored.sim
    restore(restored, load_checkpoint(str(path))["env"])
    for key, value in env.extra.items():
        got = restored.extra[key]
        assert type(got) is type(value) and got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)
    assert restored.extra["fortran"].flags.f_contiguous and restored.same is restored.extra["fortran"]


def test_version_1_state_still_restores():
    """Checkpoints written before env state shared the checkpoint codec hold arrays as raw bytes."""
    tag = "__ding_lite_env_state__"
    pos = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))
    state = {"version": 1, "chain": [f"{_SimEnv.__module__}._SimEnv"], "attrs": [{
        "pos": {tag: "ndarray", "dtype": "<f8", "shape": (2, 3), "fortran": True, "data": pos.tobytes(order="F")},
        "alias": {tag: "ref", "index": 0},
        "f32": {tag: "npscalar", "dtype": "<f4", "data": np.float32(0.5).tobytes()},
    }]}
    env = _SimEnv(sim=None)
    del env.sim
    restore(env, state)
    np.testing.assert_array_equal(env.pos, pos)
    assert env.pos.flags.f_contiguous and env.alias is env.pos
    assert type(env.f32) is np.float32 and env.f32 == 0.5


class _Simulator:
    """A physics-engine handle: reflection cannot store it, an adapter can."""

    def __init__(self) -> None:
        self.t = np.zeros(2)


class _SimSubclass(_SimEnv):
    pass


def test_adapter_captures_what_reflection_cannot(tmp_path, monkeypatch):
    def put(env, t):
        env.sim.t[:] = t

    monkeypatch.setitem(ADAPTERS, _SimEnv, StateAdapter(frozenset({"sim"}), lambda env: env.sim.t.copy(), put))
    env = _SimSubclass(_Simulator())  # subclasses use their base class's adapter
    env.sim.t += 3.0
    env.pos += 1.0
    assert can_capture(env)
    state = torch_roundtrip(capture(env), tmp_path)
    restored = _SimSubclass(_Simulator())
    handle = restored.sim
    restore(restored, state)
    assert restored.sim is handle  # the adapter restored into it; reflection left it alone
    np.testing.assert_array_equal(restored.sim.t, [3.0, 3.0])
    np.testing.assert_array_equal(restored.pos, env.pos)

    monkeypatch.delitem(ADAPTERS, _SimEnv)
    with pytest.raises(ValueError, match="captured with a state adapter"):
        restore(_SimSubclass(_Simulator()), state)
