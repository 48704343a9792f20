"""policy.cuda: the GPU when there is one, otherwise the CPU with one line in the run's log."""
from __future__ import annotations

import torch

from configs import SEARCH_PATH
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline import SerialPipeline
from ding_lite.torch_utils.device import resolve_device, to_cpu


def test_cpu_unless_asked():
    assert resolve_device(False) == (torch.device("cpu"), None)


def test_cuda_without_a_gpu_trains_on_the_cpu_and_says_so(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device, note = resolve_device(True)
    assert device == torch.device("cpu")
    assert note == "policy.cuda=True, but no CUDA device is available: training on the CPU."


def test_a_cuda_config_runs_here_and_its_log_says_where(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    main, create, _ = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    main["policy"]["cuda"] = True
    pipeline = SerialPipeline(main, create, max_train_iter=4, base_dir=tmp_path).run()
    assert pipeline.policy.device == torch.device("cpu")
    log = (pipeline.run_dir / "log" / "train.log").read_text()
    assert log.count("policy.cuda=True, but no CUDA device is available: training on the CPU.") == 1


def test_checkpoint_state_is_moved_to_the_cpu_whatever_its_device():
    state = {"model": {"w": torch.ones(2)}, "adam": {"exp_avg": [torch.zeros(1)], "step": 3}}
    moved = to_cpu(state)
    assert moved["model"]["w"].device.type == "cpu" and moved["adam"]["step"] == 3
