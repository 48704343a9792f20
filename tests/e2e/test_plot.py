"""Curves from real runs: the PNG a user gets from --plot and from entry.plot, and its errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ding_lite.utils.plot import Curve, group_name, mean_std, resolve_tag
from tests.e2e.conftest import run_cli

SIZE = (800, 500)  # ding_lite.utils.plot's FIGSIZE at its DPI
LINE_BLUE = (31, 119, 180)  # matplotlib's first line colour: a curve was drawn


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == SIZE
        return np.asarray(image.convert("RGB"))


def has_colour(rgb: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool((np.abs(rgb.astype(int) - colour).sum(-1) < 30).any())


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    """Two short runs (seeds 0 and 1) of the shipped config, the first with --plot."""
    base = tmp_path_factory.mktemp("runs")
    first = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-train-iter", "160", "--plot",
                    cwd=base)
    assert first.returncode == 0, first.stderr
    assert f"curves            {base / 'cartpole_ppo' / 'curves.png'}" in first.stdout
    second = run_cli("entry.serial_onpolicy", "-c", "cartpole_ppo_config.py", "--max-train-iter", "120", "-s", "1",
                     cwd=base)
    assert second.returncode == 0, second.stderr
    return base


def test_plot_flag_writes_the_runs_curve(two_runs):
    rgb = pixels(two_runs / "cartpole_ppo" / "curves.png")
    assert has_colour(rgb, LINE_BLUE)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 20  # text, axes and a line: not a blank canvas


def test_group_of_seeds_against_train_iter(two_runs):
    runs = sorted(p.name for p in two_runs.iterdir() if p.name.startswith("cartpole_ppo"))
    assert len(runs) == 2
    result = run_cli("entry.plot", *runs, "--group", "--x", "iter", "-o", "out/seeds.png", cwd=two_runs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote out/seeds.png (2 runs)"
    rgb = pixels(two_runs / "out" / "seeds.png")
    assert has_colour(rgb, LINE_BLUE)
    band = tuple(round(255 - 0.2 * (255 - c)) for c in LINE_BLUE)  # the ±std band: blue at alpha 0.2 on white
    assert has_colour(rgb, band)


def test_compiled_config_is_a_text_table_in_tensorboard(two_runs):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(two_runs / "cartpole_ppo" / "log" / "serial"), size_guidance={"tensors": 0})
    acc.Reload()
    (event,) = acc.Tensors("config")
    table = event.tensor_proto.string_val[0].decode()
    assert "| `exp_name` | `'cartpole_ppo'` |" in table and "| `policy.learn.learning_rate` | `0.001` |" in table


def test_dir_without_events_is_one_clear_error(tmp_path):
    (tmp_path / "empty_run" / "log").mkdir(parents=True)
    result = run_cli("entry.plot", "empty_run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: 'empty_run' has no TensorBoard event files in empty_run/log/serial: "
                                     "pass an experiment dir written by a ding_lite run.")
    assert not (tmp_path / "curves.png").exists()


@pytest.mark.parametrize(("tag", "x", "expected"), [
    ("evaluator_step/reward_mean", None, ("evaluator_step/reward_mean", "envstep")),
    ("evaluator_step/reward_mean", "iter", ("evaluator_iter/reward_mean", "iter")),
    ("learner_iter/total_loss", None, ("learner_iter/total_loss", "iter")),
    ("learner/total_loss", None, ("learner_step/total_loss", "envstep")),
])
def test_tag_and_axis(tag, x, expected):
    assert resolve_tag(tag, x) == expected


def test_seeds_group_by_name_without_stamp_or_seed_suffix():
    names = ["cartpole_ppo", "cartpole_ppo_261122_024509", "cartpole_ppo_261122_024509_2", "cartpole_ppo_seed3"]
    assert {group_name(Path(n)) for n in names} == {"cartpole_ppo"}


def test_mean_std_never_extends_a_run_past_its_last_point():
    short = Curve(Path("a"), np.array([0, 100]), np.array([0.0, 10.0]), None)
    long = Curve(Path("b"), np.array([0, 50, 200]), np.array([2.0, 4.0, 8.0]), None)
    grid, mean, std, count = mean_std([short, long])
    assert grid.tolist() == [0, 50, 100, 200] and count.tolist() == [2, 2, 2, 1]
    assert mean == pytest.approx([1.0, 4.5, (10.0 + 4.0 + 4.0 / 3) / 2, 8.0])
    assert std[-1] == 0.0  # only the long run reached 200
