"""The 'ray' env manager in real runs: the weights of 'sync', checkpoints that resume on either, and a lost
actor that stops the run with one sentence (resumable exactly) or, under 'restart', costs exactness only."""
from __future__ import annotations

import os
import signal

import pytest
import torch

from configs import SEARCH_PATH
from ding_lite.config import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.pipeline.layout import CKPT_DIR
from ding_lite.worker.hooks import Hook
from tests.e2e.ray_helpers import ray_address

HALF, FULL = 80, 160  # train iterations: 2 and 4 collects


@pytest.fixture(scope="module", autouse=True)
def cluster() -> str:
    return ray_address()


def pipeline(base, manager: str, max_train_iter: int = FULL, resume: str | None = None, **ray) -> SerialPipeline:
    main, create, _ = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    main["exp_name"] = "m"
    main["env"]["stop_value"] = 1000  # never reached: runs stop on max_train_iter
    main["env"]["manager"] = {"type": manager, "ray": {"num_actors": 2, **ray}}  # CPUs sized from the cluster
    main["policy"]["learn"]["learner"]["hook"]["save_ckpt_after_iter"] = 40
    return SerialPipeline(main, create, max_train_iter=max_train_iter, resume=resume, base_dir=base)


def final(base) -> dict:
    return torch.load(base / "m" / CKPT_DIR / f"iteration_{FULL}.pth.tar", weights_only=True)


def assert_same_weights(a: dict, b: dict) -> None:
    assert a["envstep"] == b["envstep"] and a["train_iter"] == b["train_iter"]
    for key, tensor in a["policy"]["model"].items():
        assert torch.equal(tensor, b["policy"]["model"][key]), key


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("sync")
    pipeline(base, "sync").run()
    return final(base)


def kill_actor_at(run: SerialPipeline, train_iter: int) -> None:
    def kill(ctx) -> None:
        if ctx.train_iter == train_iter:
            os.kill(run.collector_env.pids[0], signal.SIGKILL)
    run.register_hook("after_iter", Hook("kill_env_actor", kill))


@pytest.mark.filterwarnings("ignore:resuming with config changes")
def test_ray_steps_as_sync_and_checkpoints_resume_on_either(tmp_path, reference):
    whole, ray_then_sync, sync_then_ray = tmp_path / "whole", tmp_path / "ray_sync", tmp_path / "sync_ray"
    pipeline(whole, "ray").run()
    assert_same_weights(final(whole), reference)
    assert "env manager ray (2 actors of 4 envs" in (whole / "m" / "log" / "train.log").read_text()
    assert final(whole)["collector"]["env"]["kind"] == "sync"
    pipeline(ray_then_sync, "ray", HALF).run()
    pipeline(ray_then_sync, "sync", resume="latest").run()
    pipeline(sync_then_ray, "sync", HALF).run()
    pipeline(sync_then_ray, "ray", resume="latest").run()
    for base in (ray_then_sync, sync_then_ray):
        log = (base / "m" / "log" / "train.log").read_text()
        assert "resumed from" in log and "new episodes" not in log
        assert_same_weights(final(base), reference)


def test_a_lost_actor_stops_the_run_in_one_sentence_and_it_resumes_exactly(tmp_path, reference):
    from ding_lite.envs.managers.ray import EnvActorDied

    run = pipeline(tmp_path, "ray")
    kill_actor_at(run, 80)  # after its checkpoint (priority 80 < this hook's 100): the next step finds it lost
    with pytest.raises(Exception) as failure:  # from the step, or from a hook gathering env state
        run.run()
    lost = failure.value
    while not isinstance(lost, EnvActorDied):  # the best-checkpoint hook wraps it in a HookError
        lost = lost.__cause__
    message = str(lost)
    assert message.startswith("env actor 0 of 2 (envs 0-3 of CartPole-v0) died (")
    assert message.endswith("or set env.manager.ray.on_actor_failure='restart'.") and "\n" not in message
    pipeline(tmp_path, "ray", resume="latest").run()
    assert_same_weights(final(tmp_path), reference)


def test_restart_goes_on_and_says_once_it_is_no_longer_exact(tmp_path):
    run = pipeline(tmp_path, "ray", on_actor_failure="restart")
    kill_actor_at(run, 100)
    run.run()
    assert run.learner.train_iter == FULL and run.stop_reason == f"reached max_train_iter {FULL}"
    log = (tmp_path / "m" / "log" / "train.log").read_text()
    assert log.count("this run is no longer exact") == 1
    assert "env actor 0 of 2 (envs 0-3 of CartPole-v0) died" in log
    assert "restarted it with the envs' state from the last checkpoint and new episodes" in log
