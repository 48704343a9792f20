"""Key declarations: the compile, the resume classes and total_config.py read them; the config holes stay shut."""
import pytest

from ding_lite.config import ConfigError
from ding_lite.config.changes import classify_changes
from ding_lite.config.keys import SHAPES, SILENT, Key, defaults, merge_keys
from ding_lite.config.loader import load_config_file
from ding_lite.config.save import commented_source
from ding_lite.pipeline.serial import policy_type
from ding_lite.pipeline.tree import compile_run_config, pipeline_keys
from ding_lite.policy.dqn import DQNPolicy
from ding_lite.policy.ppo import PPOPolicy


@pytest.mark.parametrize("value, message", [
    ("100", "'max_env_step' must be int, not str, got '100'"),
    (2048.5, "'max_env_step' must be int, not float, got 2048.5"),
    (True, "'max_env_step' must be int, not bool, got True"),
    (0, "'max_env_step' must be > 0, got 0"),
])
def test_horizon_keys_are_positive_ints(value, message) -> None:
    for key in ("max_env_step", "max_train_iter"):
        with pytest.raises(ConfigError, match=message.replace("max_env_step", key)):
            compile_run_config({key: value}, {}, PPOPolicy)


def test_a_main_config_type_that_contradicts_create_config_is_refused() -> None:
    with pytest.raises(ConfigError, match="'policy.type' is 'dqn' in main_config but 'ppo' in create_config"):
        policy_type({"policy": {"type": "dqn"}}, {"policy": {"type": "ppo"}}, "ppo")
    assert policy_type({"policy": {"type": "ppo"}}, {"policy": {"type": "ppo"}}, "dqn") == "ppo"


def test_a_subclass_changes_a_default_with_a_plain_value_and_declares_with_a_key() -> None:
    base = {"learn": {"lr": Key(0.1, "step size")}}
    merged = merge_keys(base, {"learn": {"lr": 0.5, "new": Key(1, "a new key")}})
    assert defaults(merged) == {"learn": {"lr": 0.5, "new": 1}}
    assert merged["learn"]["lr"].meaning == "step size"
    with pytest.raises(TypeError, match="'learn.typo' changes the default of a key that no base class declares"):
        merge_keys(base, {"learn": {"typo": 3}})


def test_resume_classes_come_from_the_declarations() -> None:
    keys = pipeline_keys(PPOPolicy)
    assert keys["policy"]["learn"]["value_norm"].resume == SHAPES
    assert keys["policy"]["eval"]["evaluator"]["eval_freq"].resume == SILENT
    saved = compile_run_config({}, {}, PPOPolicy)
    current = compile_run_config({"env": {"stop_value": 10}, "policy": {
        "learn": {"value_norm": False, "clip_ratio": 0.1}, "model": {"actor_head_hidden_size": 8}}}, {}, PPOPolicy)
    refused, warned = classify_changes(saved, current, keys)
    assert refused == ["policy.learn.value_norm", "policy.model.actor_head_hidden_size"]
    assert warned == ["policy.learn.clip_ratio"]


def test_total_config_carries_each_key_s_meaning_and_runs_again(tmp_path) -> None:
    cfg = compile_run_config({"policy": {"learn": {"batch_size": 32}}}, {}, DQNPolicy)
    source = commented_source(cfg, pipeline_keys(DQNPolicy))
    assert "        'batch_size': 32,  # transitions per minibatch\n" in source
    path = tmp_path / "total_config.py"
    path.write_text(source)
    assert load_config_file(str(path))[0] == cfg
