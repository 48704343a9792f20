"""Which env a config names: DI-engine types and ids, renamed ids with their note, users' envs, missing extras."""
from __future__ import annotations

import importlib
import sys
import textwrap

import gymnasium as gym
import pytest

from ding_lite.config import ConfigError
from ding_lite.envs.make import EnvOptions, env_options, make_env
from ding_lite.envs.registry import RENAMED, require, resolve_env


@pytest.mark.parametrize("env_type, env_id, module", [
    ("cartpole", "CartPole-v0", "gymnasium"), ("lunarlander", "LunarLander-v3", "Box2D"),
    ("pong", "PongNoFrameskip-v4", "ale_py"), ("hopper", "Hopper-v5", "mujoco")])
def test_di_engine_types_name_gymnasium_ids(env_type, env_id, module):
    importlib.import_module(module)
    assert resolve_env({"type": env_type}) == (env_id, None)


def test_no_env_section_trains_cartpole_and_env_id_wins_over_type():
    assert resolve_env({}) == ("CartPole-v0", None)
    assert resolve_env({"type": "cartpole", "env_id": "Acrobot-v1"}) == ("Acrobot-v1", None)


@pytest.mark.parametrize("old", sorted(RENAMED))
def test_ids_gymnasium_no_longer_makes_map_to_the_current_one_with_a_note(old):
    importlib.import_module("Box2D" if "Lunar" in old else "mujoco")
    new, change = RENAMED[old]
    env_id, note = resolve_env({"type": "mujoco", "env_id": old})
    assert env_id == new
    assert note.startswith(f"env '{old}' is not made by gymnasium 1.x: training '{new}'") and change in note


def test_ant_v3_keeps_its_111_observation_values_and_the_note_says_how():
    env_id, note = resolve_env({"env_id": "Ant-v3"})
    assert env_id == "ding_lite/AntContactForces-v4" and "111 observation values" in note
    assert make_env(env_id).observation_space.shape == (111,) and "healthy" in RENAMED["Hopper-v3"][1]


@pytest.mark.parametrize("env_type", ["atari", "mujoco"])
def test_di_engine_class_types_need_an_env_id(env_type):
    with pytest.raises(ConfigError, match=rf"'env\.env_id' is missing: env type '{env_type}' needs the task's id"):
        resolve_env({"type": env_type, "import_names": [f"dizoo.{env_type}.envs.{env_type}_env"]})


def test_di_engine_env_modules_are_not_imported_and_unknown_ids_are_refused():
    with pytest.raises(ConfigError, match="'Nope-v0', which is not a registered gymnasium environment"):
        resolve_env({"type": "atari", "env_id": "Nope-v0", "import_names": ["dizoo.atari.envs.atari_env"]})
    with pytest.raises(ConfigError, match="'env.import_names' names 'no_such_module_xyz', which cannot be imported"):
        resolve_env({"env_id": "CartPole-v1", "import_names": ["no_such_module_xyz"]})


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_user_envs.py").write_text(textwrap.dedent("""
        import gymnasium as gym
        import numpy as np

        class CoinEnv(gym.Env):
            observation_space = gym.spaces.Box(-1, 1, (2,), np.float32)
            action_space = gym.spaces.Discrete(2)

            def reset(self, *, seed=None, options=None):
                super().reset(seed=seed)
                return np.zeros(2, np.float32), {}

            def step(self, action):
                return np.ones(2, np.float32), float(action), True, False, {}

        gym.register("MyRegisteredCoin-v0", entry_point=CoinEnv)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_user_envs"
    for name in ("CoinEnv", "MyRegisteredCoin-v0"):
        gym.envs.registry.pop(name, None)
    sys.modules.pop("my_user_envs", None)


def test_a_user_env_class_named_by_type_is_registered_and_built_by_the_factory(user_module):
    env_id, note = resolve_env({"type": "CoinEnv", "import_names": [user_module]})
    assert (env_id, note) == ("CoinEnv", None)
    assert gym.spec("CoinEnv").entry_point == "my_user_envs:CoinEnv"  # picklable for async workers
    env = make_env(env_id)
    env.reset(seed=0)
    assert env.step(1)[1] == 1.0


def test_an_id_the_user_module_registers_resolves_after_the_import(user_module):
    assert resolve_env({"env_id": "MyRegisteredCoin-v0", "import_names": [user_module]}) == ("MyRegisteredCoin-v0",
                                                                                             None)


@pytest.mark.parametrize("module, extra", [("mujoco", "mujoco"), ("ale_py", "atari"), ("envpool", "envpool"),
                                           ("Box2D", "box2d"), ("cv2", "atari")])
def test_a_missing_extra_is_one_sentence_naming_the_pip_install(monkeypatch, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError, as when it is not installed
    with pytest.raises(ConfigError, match=rf"^the thing needs the '{module}' package, which is not installed: "
                                          rf"pip install 'ding_lite\[{extra}\]'\.$"):
        require(module, "the thing")


def test_a_mujoco_id_without_mujoco_names_the_extra_before_anything_is_built(monkeypatch):
    monkeypatch.setitem(sys.modules, "mujoco", None)
    with pytest.raises(ConfigError, match=r"the env 'Hopper-v5' needs the 'mujoco' package.*ding_lite\[mujoco\]"):
        resolve_env({"env_id": "Hopper-v3"})


def test_env_pool_without_envpool_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "envpool", None)
    with pytest.raises(ConfigError, match=r"'env\.manager\.type' = 'env_pool' needs the 'envpool' package.*"
                                          r"pip install 'ding_lite\[envpool\]'"):
        resolve_env({"env_id": "PongNoFrameskip-v4", "manager": {"type": "env_pool"}})


def test_env_pool_names_atari_games_its_own_way():
    importlib.import_module("envpool")
    assert resolve_env({"env_id": "PongNoFrameskip-v4", "manager": {"type": "env_pool"}}) == (
        "Pong-v5", "env 'PongNoFrameskip-v4' runs as envpool's task 'Pong-v5'.")
    assert resolve_env({"env_id": "Hopper-v3", "manager": {"type": "env_pool"}}) == ("Hopper-v3", None)
    importlib.import_module("ale_py")
    assert resolve_env({"type": "atari", "env_id": "Pong-v5"}) == (  # enjoy after env_pool training
        "PongNoFrameskip-v4", "envpool's task 'Pong-v5' runs as 'PongNoFrameskip-v4' with the same preprocessing.")
    with pytest.raises(ConfigError, match="'Nope-v1', which envpool does not make"):
        resolve_env({"env_id": "Nope-v1", "manager": {"type": "env_pool"}})


def test_envpool_batch_sizes_must_be_every_env():
    with pytest.raises(ConfigError, match=r"'env\.collector_batch_size' is 4, but ding_lite steps all 8 collector "
                                          r"envs together: set it to 8 or leave it out\."):
        resolve_env({"collector_env_num": 8, "collector_batch_size": 4})
    assert resolve_env({"collector_env_num": 8, "collector_batch_size": 8})[0] == "CartPole-v0"


def _chain(env: gym.Env) -> list[str]:
    names = [type(env).__name__]
    while isinstance(env, gym.Wrapper):
        env = env.env
        names.append(type(env).__name__)
    return names


@pytest.mark.filterwarnings("ignore:.*is out of date")
def test_no_option_set_builds_exactly_gym_make_s_env():
    for evaluator in (False, True):
        options = env_options({"frame_stack": None}, evaluator)
        assert not options.wraps("CartPole-v0")
        assert _chain(make_env("CartPole-v0", options=options)) == _chain(gym.make("CartPole-v0"))


def test_frame_stack_on_a_vector_observation_env():
    env = make_env("CartPole-v1", options=EnvOptions(frame_stack=3))
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3, 4) and env.observation_space.shape == (3, 4)
