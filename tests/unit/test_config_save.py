"""total_config.py holds objects a config may carry (DI-engine's hopper_onppo sets nn.Tanh()) in a form that loads."""
from __future__ import annotations

import math

import pytest
import torch

from ding_lite.config import load_config_file, save_config
from ding_lite.config.save import config_source


def test_objects_are_written_as_the_source_that_rebuilds_them(tmp_path):
    cfg = {"policy": {"model": {"activation": torch.nn.Tanh(), "layer": torch.nn.LeakyReLU(0.2),
                                "fn": torch.relu, "cls": torch.nn.ReLU, "inf": math.inf, "sizes": [64, 64]}}}
    path = tmp_path / "total_config.py"
    save_config(cfg, str(path))
    loaded, _, _ = load_config_file(str(path))
    model = loaded["policy"]["model"]
    assert isinstance(model["activation"], torch.nn.Tanh)
    assert isinstance(model["layer"], torch.nn.LeakyReLU) and model["layer"].negative_slope == 0.2
    assert model["fn"] is torch.relu and model["cls"] is torch.nn.ReLU
    assert model["inf"] == math.inf and model["sizes"] == [64, 64]


def test_plain_configs_are_written_as_before():
    assert config_source({"a": 1, "b": [1, 2]}).splitlines()[1] == "main_config = {'a': 1, 'b': [1, 2]}"


@pytest.mark.parametrize("bad", [lambda v: v, torch.nn.Linear(2, 2)])
def test_an_object_without_source_is_one_sentence_naming_the_key(bad):
    with pytest.raises(ValueError, match=r"^config key 'policy\.model\.x' holds .*, which total_config\.py cannot"):
        config_source({"policy": {"model": {"x": bad}}})
