"""compile_config: merge over defaults and one clear error per bad key, before anything is created."""
import copy

import pytest

from configs import SEARCH_PATH
from ding_lite.config import ConfigError, compile_config, diff_paths
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.tree import pipeline_defaults, pipeline_keys
from ding_lite.policy.ppo import PPOPolicy

DEFAULTS = pipeline_defaults(PPOPolicy)
KEYS = pipeline_keys(PPOPolicy)


def compile_(main, create=None):
    return compile_config(main, create or {}, KEYS)


def test_user_values_override_defaults_and_the_rest_is_filled_in():
    cfg = compile_({"policy": {"learn": {"batch_size": 32}}})
    assert cfg["policy"]["learn"]["batch_size"] == 32
    assert cfg["policy"]["learn"]["clip_ratio"] == DEFAULTS["policy"]["learn"]["clip_ratio"]
    assert cfg["env"]["collector_env_num"] == 8


def test_defaults_are_not_mutated_by_compiling():
    before = copy.deepcopy(DEFAULTS)
    compile_({"policy": {"model": {"encoder_hidden_size_list": [8]}}})
    assert DEFAULTS == before


def test_create_config_types_land_in_the_main_tree():
    cfg = compile_({}, {"env": {"type": "cartpole", "import_names": ["x.y"]}, "env_manager": {"type": "base"},
                        "policy": {"type": "ppo"}})
    assert cfg["env"]["type"] == "cartpole"
    assert cfg["env"]["import_names"] == ["x.y"]
    assert cfg["env"]["manager"]["type"] == "base"


def test_typo_names_dotted_key_and_closest_valid_key():
    with pytest.raises(ConfigError, match=r"'policy\.learn\.batchsize'.*did you mean 'batch_size'"):
        compile_({"policy": {"learn": {"batchsize": 64}}})


def test_key_in_wrong_section_points_to_where_it_is_valid():
    with pytest.raises(ConfigError, match=r"'policy\.n_sample'.*valid at 'policy\.collect\.n_sample'"):
        compile_({"policy": {"n_sample": 64}})


@pytest.mark.parametrize("main, pattern", [
    ({"policy": {"learn": {"batch_size": "64"}}}, r"'policy\.learn\.batch_size' must be int, not str"),
    ({"policy": {"learn": {"batch_size": 64.0}}}, r"'policy\.learn\.batch_size' must be int, not float"),
    ({"policy": {"learn": {"adv_norm": 1}}}, r"'policy\.learn\.adv_norm' must be bool"),
    ({"env": {"collector_env_num": True}}, r"'env\.collector_env_num' must be int, not bool"),
    ({"policy": {"learn": "fast"}}, r"'policy\.learn' must be a dict"),
])
def test_wrong_types_are_named(main, pattern):
    with pytest.raises(ConfigError, match=pattern):
        compile_(main)


def test_float_keys_accept_ints():
    assert compile_({"policy": {"learn": {"learning_rate": 1}}})["policy"]["learn"]["learning_rate"] == 1


@pytest.mark.parametrize("main, pattern", [
    ({"policy": {"learn": {"batch_size": -4}}}, r"'policy\.learn\.batch_size' must be > 0, got -4"),
    ({"policy": {"collect": {"n_sample": 0}}}, r"'policy\.collect\.n_sample' must be > 0, got 0"),
    ({"policy": {"collect": {"discount_factor": 1.5}}}, r"'policy\.collect\.discount_factor' must be between 0 and 1"),
    ({"policy": {"collect": {"unroll_len": 4}}}, r"'policy\.collect\.unroll_len' must be one of 1"),
    ({"env": {"stop_value": "high"}}, r"'env\.stop_value' must be int or float, not str"),
    ({"max_env_step": 0}, r"'max_env_step' must be > 0"),
    ({"env": {"manager": {"type": "gpu"}}}, r"'env\.manager\.type' must be one of"),
    ({"policy": {"model": {"encoder_hidden_size_list": []}}}, r"encoder_hidden_size_list' must be a non-empty list"),
])
def test_impossible_values_are_named(main, pattern):
    with pytest.raises(ConfigError, match=pattern):
        compile_(main)


def test_unknown_create_config_section():
    with pytest.raises(ConfigError, match=r"unknown create_config key 'env_manger'.*did you mean 'env_manager'"):
        compile_({}, {"env_manger": {"type": "base"}})


def test_missing_and_unknown_env_ids_fail_before_any_file(tmp_path):
    with pytest.raises(ConfigError, match=r"'env\.env_id' is missing"):
        SerialPipeline({"env": {"env_id": ""}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"'NoSuchEnv-v9', which is not a registered gymnasium environment"):
        SerialPipeline({"env": {"env_id": "NoSuchEnv-v9"}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"'policy\.model\.obs_shape' is 5, but CartPole-v0 observations"):
        SerialPipeline({"policy": {"model": {"obs_shape": 5}}}, base_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_missing_checkpoint_path_is_a_config_error(tmp_path):
    cfg = {"policy": {"learn": {"learner": {"hook": {"load_ckpt_before_run": str(tmp_path / "nope.pth.tar")}}}}}
    with pytest.raises(ConfigError, match=r"load_ckpt_before_run' names '.*nope\.pth\.tar', which does not exist"):
        SerialPipeline(cfg, base_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_config_file_loading_easydict_and_shipped_lookup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main, create, path = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    assert path.parent.name == "configs"
    assert type(main) is dict and type(main["policy"]) is dict
    assert create["policy"]["type"] == "ppo"
    with pytest.raises(ConfigError, match="'nope_config.py' was found neither as given nor in"):
        load_config_file("nope_config.py", SEARCH_PATH)
    bad = tmp_path / "bad_config.py"
    bad.write_text("x = 1\n")
    with pytest.raises(ConfigError, match="does not define main_config"):
        load_config_file(str(bad))


def test_diff_paths_lists_changed_leaves():
    a = {"x": 1, "p": {"lr": 0.1, "m": {"h": [64]}}}
    b = {"x": 1, "p": {"lr": 0.2, "m": {"h": [32]}}}
    assert diff_paths(a, b) == ["p.lr", "p.m.h"]


def test_experiment_dir_that_cannot_be_created_is_named(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"experiment dir '.*a_file/run' cannot be created: .* is a file"):
        SerialPipeline({"exp_name": str(blocker / "run")}, base_dir=tmp_path)


def test_a_config_file_that_edits_an_imported_config_starts_fresh_each_load(tmp_path):
    """Config files edit the configs they import in place; a second load in one process must not see the first's edits."""
    import sys

    from ding_lite.config.loader import load_config_file

    (tmp_path / "a_config.py").write_text(
        "from configs.cartpole_ppo_config import main_config, create_config\n"
        "main_config.policy.collect.n_sample = main_config.policy.collect.n_sample * 10\n")
    first, _, _ = load_config_file(str(tmp_path / "a_config.py"))
    second, _, _ = load_config_file(str(tmp_path / "a_config.py"))
    assert first["policy"]["collect"]["n_sample"] == second["policy"]["collect"]["n_sample"]
    assert "configs.cartpole_ppo_config" not in sys.modules or \
        sys.modules["configs.cartpole_ppo_config"].main_config.policy.collect.n_sample * 10 == \
        first["policy"]["collect"]["n_sample"]
