"""Shared helpers of the TensorBoard tests: a two-axis training run's logging, read back through
TensorBoard's own EventAccumulator."""

import os
from itertools import pairwise

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ding_lite.utils.tensorboard import ScalarWriter

ITER, ENV = "learner_iter/loss", "collector_step/reward"
EVAL_ITER, EVAL_ENV = "evaluator_iter/reward_mean", "evaluator_step/reward_mean"


def accumulate(log_dir) -> EventAccumulator:
    return EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0}).Reload()


def scalars(log_dir) -> dict[str, list[tuple[int, float]]]:
    ea = accumulate(log_dir)
    return {tag: [(e.step, e.value) for e in ea.Scalars(tag)] for tag in ea.Tags()["scalars"]}


def log_iters(writer: ScalarWriter, iters) -> None:
    """A training run's logging: per-iter tags and envstep tags (1000x larger steps);
    every second iter an evaluation on both axes. Values are exact in float32."""
    for it in iters:
        writer.add_scalar(ITER, it * 0.5, it)
        writer.add_scalar(ENV, it + 0.25, it * 1000)
        if it % 2 == 0:
            writer.add_scalars({EVAL_ITER: it * 2.0}, it)
            writer.add_scalars({EVAL_ENV: it * 2.0}, it * 1000)


def uninterrupted(log_dir, iters=range(1, 11)) -> dict[str, list[tuple[int, float]]]:
    writer = ScalarWriter(str(log_dir))
    log_iters(writer, iters)
    writer.close()
    return scalars(log_dir)


def assert_unique_increasing(result: dict[str, list[tuple[int, float]]]) -> None:
    for tag, points in result.items():
        steps = [s for s, _ in points]
        assert all(a < b for a, b in pairwise(steps)), (tag, steps)


def dir_names(log_dir) -> list[str]:
    return sorted(os.listdir(log_dir))
