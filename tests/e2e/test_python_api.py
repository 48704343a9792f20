"""The Python API the entries are built on, garage style: restore a run, resume with new arguments."""
from __future__ import annotations

import pytest

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.pipeline import load_pipeline, restore_pipeline
from ding_lite.worker.hooks import Hook


def test_restore_a_run_dir_and_resume_with_new_training_arguments(tmp_path):
    first = load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, max_train_iter=40, base_dir=tmp_path).run()
    assert first.learner.train_iter == 40

    seen = []
    restored = restore_pipeline(str(first.run_dir), base_dir=tmp_path)
    restored.register_hook("after_iter", Hook("count", lambda ctx: seen.append(ctx.train_iter), freq=20))
    restored.run(max_train_iter=120)
    assert restored.run_dir == first.run_dir and restored.learner.train_iter == 120
    assert seen == [60, 80, 100, 120]  # the run continued from 40, it did not start over
    assert restored.stop_reason == "reached max_train_iter 120"


def test_a_hook_can_stop_the_run_cleanly(tmp_path):
    pipeline = load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, base_dir=tmp_path)
    pipeline.register_hook("after_collect", Hook("enough", lambda ctx: ctx.request_stop("enough data"), freq=3))
    pipeline.run()
    assert pipeline.stop_reason == "enough data" and pipeline.learner.train_iter == 120
    assert (pipeline.run_dir / "ckpt" / "iteration_120.pth.tar").exists()


def test_restore_without_a_config_needs_a_run_dir(tmp_path):
    with pytest.raises(ConfigError, match="has no total_config.py"):
        restore_pipeline(str(tmp_path), base_dir=tmp_path)


def test_a_resume_keeps_the_checkpoint_s_seed_and_refuses_another(tmp_path):
    first = load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, seed=3, max_train_iter=40, base_dir=tmp_path).run()
    with pytest.raises(ConfigError, match="seed 5 was given, but checkpoint .* continues seed 3's random streams"):
        load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, seed=5, resume=str(first.run_dir), base_dir=tmp_path)
    resumed = load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, resume=str(first.run_dir), base_dir=tmp_path)
    assert resumed.cfg["seed"] == 3
    resumed.lock.release()  # the run dir's lock: the next pipeline on it is built in this same process
    assert load_pipeline("cartpole_ppo_config.py", SEARCH_PATH, seed=3, resume=str(first.run_dir),
                         base_dir=tmp_path).cfg["seed"] == 3
