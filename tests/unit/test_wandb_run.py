"""WandbRun by value, with a stand-in for the wandb module: what a resumed session sends, and a mid-run failure."""
from __future__ import annotations

from ding_lite.utils.wandb_run import WandbRun


class FakeWandb:
    def __init__(self, fail_after: int | None = None) -> None:
        self.rows: list[tuple[int, dict]] = []
        self.metrics: dict[str, str] = {}
        self.fail_after = fail_after

    def log(self, row: dict, step: int) -> None:
        if self.fail_after is not None and len(self.rows) >= self.fail_after:
            raise ConnectionError("the W&B service went away")
        self.rows.append((step, row))

    def define_metric(self, key: str, step_metric: str) -> None:
        self.metrics[key] = step_metric


class FakeRun:
    finished = False

    def finish(self) -> None:
        self.finished = True


def test_a_resumed_session_sends_only_what_wandb_lacks_from_the_step_after_its_last():
    wandb, said = FakeWandb(), []
    held = {"learner_iter/loss": 20, "learner_step/loss": 640}  # W&B holds the first session up to iteration 20
    session = WandbRun(wandb, FakeRun(), held, step=7, say=said.append)
    session.backfill({"learner_iter/loss": [(10, 1.0), (20, 2.0)], "learner_step/loss": [(320, 1.0), (640, 2.0)],
                      "evaluator_iter/reward": [(10, 5.0)], "evaluator_step/reward": [(320, 5.0)]})
    for train_iter, envstep, loss in ((20, 640, 2.0), (30, 960, 3.0)):  # the resumed session replays 20
        session.add("learner", {"loss": loss}, train_iter, envstep)
    session.close()
    assert wandb.rows == [
        (7, {"evaluator_iter/reward": 5.0, "evaluator_step/reward": 5.0, "train_iter": 10, "envstep": 320}),
        (8, {"learner_iter/loss": 3.0, "learner_step/loss": 3.0, "train_iter": 30, "envstep": 960}),
    ]
    assert wandb.metrics == {"evaluator_iter/reward": "train_iter", "evaluator_step/reward": "envstep",
                             "learner_iter/loss": "train_iter", "learner_step/loss": "envstep"}
    assert said == []


def test_reports_of_one_moment_share_a_row_and_a_repeated_key_starts_a_new_one():
    wandb = FakeWandb()
    session = WandbRun(wandb, FakeRun(), {}, step=0, say=print)
    session.add("collector", {"reward": 1.0}, 0, 8)
    session.add("learner", {"loss": 0.5}, 0, 8)
    session.add("collector", {"reward": 2.0}, 0, 16)  # off-policy warm-up: a collect with no training
    session.flush()
    assert [(step, row["envstep"], sorted(row)) for step, row in wandb.rows] == [
        (0, 8, ["collector_iter/reward", "collector_step/reward", "envstep", "learner_iter/loss",
                "learner_step/loss", "train_iter"]),
        (1, 16, ["collector_iter/reward", "collector_step/reward", "envstep", "train_iter"])]


def test_a_failing_service_is_one_sentence_and_nothing_more_is_sent():
    wandb, said, run = FakeWandb(fail_after=1), [], FakeRun()
    session = WandbRun(wandb, run, {}, step=0, say=said.append)
    for i in range(3):
        session.add("learner", {"loss": float(i)}, i, 10 * i)
    session.flush()
    session.add("learner", {"loss": 9.0}, 9, 90)
    session.close()
    assert len(wandb.rows) == 1 and session.failed and not run.finished
    assert said == [("Weights & Biases failed (ConnectionError: the W&B service went away); the run goes on, "
                    "logging to TensorBoard only.")]
