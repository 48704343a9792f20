"""ray_runs without Ray: seeds and grid parsing, run names, and the checks done before any task starts."""
from __future__ import annotations

import argparse

import pytest

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.distributed.runs import plan, suffix
from entry.ray_runs import parse_grid, parse_seeds


def test_seeds_and_grid_parse_as_written():
    assert parse_seeds("0-3,8") == [0, 1, 2, 3, 8] and parse_seeds("5") == [5]
    assert parse_grid(["policy.learn.learning_rate=1e-3,3e-4", "env.env_id=CartPole-v1"]) == {
        "policy.learn.learning_rate": [1e-3, 3e-4], "env.env_id": ["CartPole-v1"]}
    for bad in ("a-3", "1-"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_seeds(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="is not KEY=V1,V2"):
        parse_grid(["policy.learn.learning_rate"])


def test_each_run_gets_its_own_dir_named_for_plot_group(tmp_path):
    specs = plan("cartpole_ppo_config.py", [0, 1], {"policy.learn.learning_rate": [1e-3, 3e-4]}, SEARCH_PATH,
                 base_dir=tmp_path, max_env_step=512)
    assert [s.name for s in specs] == ["cartpole_ppo_learning_rate0.001_seed0", "cartpole_ppo_learning_rate0.001_seed1",
                                       "cartpole_ppo_learning_rate0.0003_seed0", "cartpole_ppo_learning_rate0.0003_seed1"]
    assert specs[2].main_config()["policy"]["learn"]["learning_rate"] == 3e-4
    assert specs[2].main_config()["exp_name"] == specs[2].name and suffix({}, 4) == "_seed4"
    assert list(tmp_path.iterdir()) == []  # planning writes nothing
    (tmp_path / specs[0].name).mkdir()  # a taken name: every run of the batch gets the same creation stamp
    stamped = plan("cartpole_ppo_config.py", [0, 1], {"policy.learn.learning_rate": [1e-3, 3e-4]}, SEARCH_PATH,
                   base_dir=tmp_path)
    stamps = {s.name[len(p.name):] for s, p in zip(stamped, specs, strict=True)}
    assert len(stamps) == 1 and stamps.pop().startswith("_")


def test_bad_runs_are_refused_before_any_task(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'learning_rate'"):
        plan("cartpole_ppo_config.py", [0], {"policy.learn.learnin_rate": [1e-3]}, SEARCH_PATH, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="config key 'env.manager.ray.on_actor_failure' must be one of"):
        plan("cartpole_ppo_config.py", [0], {"env.manager.ray.on_actor_failure": ["retry"]}, SEARCH_PATH,
             base_dir=tmp_path)
    with pytest.raises(ConfigError, match="share an experiment dir"):
        plan("cartpole_ppo_config.py", [0, 0], None, SEARCH_PATH, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="max_env_step must be >= 1"):
        plan("cartpole_ppo_config.py", [0], None, SEARCH_PATH, base_dir=tmp_path, max_env_step=0)


def test_resume_continues_the_newest_dir_of_each_run(tmp_path):
    (tmp_path / "cartpole_ppo_seed0").mkdir()
    (tmp_path / "cartpole_ppo_seed0_251202_101010").mkdir()
    (tmp_path / "cartpole_ppo_seed10").mkdir()  # another run's name, not a stamp of seed 1
    specs = plan("cartpole_ppo_config.py", [0, 1], None, SEARCH_PATH, base_dir=tmp_path, resume=True)
    assert [s.name for s in specs] == ["cartpole_ppo_seed0_251202_101010", "cartpole_ppo_seed1"]
