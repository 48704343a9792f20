"""The run state of a serial pipeline: what a checkpoint holds, how it comes back, where it is written.

Only what an uninterrupted run would also hold goes into a checkpoint, so a stopped-and-resumed run
ends with the same file as one that never stopped. Side state (a replay buffer) is written incrementally
before the checkpoint that lists it (:mod:`ding_lite.pipeline.side_state`): every complete checkpoint,
periodic, best or final, has its side state.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ding_lite.config.changes import classify_changes, with_new_keys
from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import defaults
from ding_lite.config.save import checkpoint_config
from ding_lite.pipeline.layout import BEST_CKPT, CKPT_DIR
from ding_lite.pipeline.side_state import SideState, check_side_files
from ding_lite.pipeline.tree import HORIZON_KEYS, pipeline_keys
from ding_lite.utils.checkpoint_io import CheckpointError, iteration_of, prune_checkpoints, save_checkpoint
from ding_lite.utils.rng import get_rng_state, set_rng_state
from ding_lite.worker.hooks import Hook, RunContext, SaveCkptAfterRunHook, SaveCkptEverySecondsHook, SaveCkptHook


class RunState:
    """Mixed into SerialPipeline: checkpoint contents, restore, iteration/best saves and pruning."""

    cfg: dict
    run_dir: Path
    checkpoint: dict | None
    ckpt_path: Path | None
    resuming: bool
    warnings: list[str]
    policy_cls: type
    policy: Any
    learner: Any
    hooks: Any
    collector: Any
    evaluator: Any
    writer: Any
    log: Any
    collector_env: Any
    evaluator_env: Any
    _said_env_uncaptured: bool
    side: SideState
    saved_state: tuple[int, int] | None = None  # (train_iter, envstep) of the newest iteration checkpoint
    saved_at = 0.0  # time.monotonic() of that save, or of the session's start
    say: Any  # a note for train.log and the console
    wandb: Any
    wandb_run_id: str | None

    def _reconcile_with_checkpoint(self, cfg: dict, overrides: dict, seed: int | None = None) -> None:
        """The checkpoint's horizons and seed where the caller gave none; refused or warned config changes.

        A resume continues the checkpoint's random streams, so its seed is the run's seed: another one
        asked for (``-s``) is refused rather than shown and saved while the streams stay the old ones.
        """
        saved = self.checkpoint["config"]
        if "seed" in saved:
            if seed is not None and seed != saved["seed"]:
                raise ConfigError(f"seed {seed} was given, but checkpoint '{self.ckpt_path}' continues seed "
                                  f"{saved['seed']}'s random streams: resume without -s/seed, or start a new run "
                                  f"for seed {seed}.")
            cfg["seed"] = saved["seed"]
        for key in HORIZON_KEYS:
            if overrides[key] is None and cfg[key] is None:
                cfg[key] = saved.get(key)
        saved = with_new_keys(saved, checkpoint_config(defaults(pipeline_keys(self.policy_cls), absent=True)))
        refused, warned = classify_changes(saved, checkpoint_config(cfg), pipeline_keys(self.policy_cls))
        if refused:
            raise CheckpointError(
                f"checkpoint '{self.ckpt_path}' was made under a config that differs in keys that shape its saved "
                f"state ({', '.join(refused)}); resume with the original values or start a new run."
            )
        if cfg["policy"].get("other", {}).get("replay_buffer", {}).get("save_with_ckpt", True):
            check_side_files(self.checkpoint, self.ckpt_path)
        if warned:
            self.warnings.append(f"resuming with config changes that the checkpoint did not have: {', '.join(warned)}")


    def state_dict(self) -> dict:
        """The whole run state: enough to continue the run bit for bit."""
        return {
            "algo": self.policy.name,
            "train_iter": self.learner.train_iter,
            "envstep": self.collector.envstep,
            "policy": self.policy.state_dict_learn(),
            "learner": self.learner.state_dict(),
            "hooks": self.hooks.state_dict(),
            "collector": self.collector.state_dict(),
            "evaluator": self.evaluator.state_dict(),
            "rng": get_rng_state(),
            "tb_last_steps": self.writer.last_steps(),
            "wandb_run_id": self.wandb_run_id,
            "config": checkpoint_config(self.cfg),
        }

    def _restore(self, ckpt: dict) -> None:
        if not self.resuming:
            self.policy.load_state_dict_learn(ckpt["policy"], restore_rng=False)
            self.log.write(f"loaded weights and optimizer from {self.ckpt_path} (fine-tuning: counters start at 0)")
            return
        self.policy.load_state_dict_learn(ckpt["policy"])
        self.learner.load_state_dict(ckpt["learner"])
        self.hooks.load_state_dict(ckpt["hooks"])
        saved_env = ckpt["collector"]["env"]
        restorable = (self.collector_env.can_restore(saved_env)
                      and self.evaluator_env.can_restore(ckpt["evaluator"]["env"]))
        self.collector.load_state_dict(ckpt["collector"], restorable)
        self.evaluator.load_state_dict(ckpt["evaluator"], restorable)
        if not restorable and saved_env is not None:
            self.say(f"env state in this checkpoint comes from the '{saved_env.get('kind', 'sync')}' env manager "
                           f"and this run uses '{self.collector_env.kind}': envs start new episodes on resume")
        elif not restorable:
            self.say("env state was not captured in this checkpoint: envs start new episodes on resume")
        set_rng_state(ckpt["rng"])
        self.side.restore(ckpt, self.ckpt_path, self.policy.saves_side_state())
        if iteration_of(str(self.ckpt_path)) is not None:
            self.saved_state = (self.learner.train_iter, self.collector.envstep)
        self.log.write(f"resumed from {self.ckpt_path} at train_iter={self.learner.train_iter} "
                       f"envstep={self.collector.envstep}")

    def _save(self, path: Path) -> None:
        state = self.state_dict()  # its tb_last_steps() flushes the writer: the file covers what it records
        if state["collector"]["env"] is None and not self._said_env_uncaptured:
            self._said_env_uncaptured = True
            self.say(f"env state of {self.cfg['env']['env_id']} with the '{self.cfg['env']['manager']['type']}' "
                     "manager cannot be captured: checkpoints keep everything else, and a resume starts new episodes")
        side_state = self.side.save(self.policy.saves_side_state())
        if side_state:
            state["side_state"] = side_state
        save_checkpoint(state, str(path))
        if self.wandb is not None:
            self.wandb.flush()  # W&B gets its rows when TensorBoard's file gets them

    def _register_saves(self, hooks: Any, hook_cfg: dict) -> None:
        """Iteration checkpoints by count, by time and at the end; the best one after each improving eval."""
        if hook_cfg["save_ckpt_after_iter"]:
            hooks.register("after_iter", SaveCkptHook(hook_cfg["save_ckpt_after_iter"], self._save_iteration))
        if hook_cfg["save_ckpt_every_seconds"]:
            self.saved_at = time.monotonic()
            hooks.register("after_iter", SaveCkptEverySecondsHook(hook_cfg["save_ckpt_every_seconds"],
                                                                  self._save_iteration, lambda: self.saved_at))
        if hook_cfg["save_ckpt_after_run"]:
            hooks.register("after_run", SaveCkptAfterRunHook(self._save_iteration))
        hooks.register("after_eval", Hook("save_ckpt_best", self._save_best, priority=80))

    def _save_iteration(self, ctx: RunContext) -> None:
        """Once per state: a stop at a multiple of the save interval (or a timed save at the same cycle end)
        does not write the same checkpoint again; neither does a resume that is already at its horizon."""
        saved = (self.learner.train_iter, self.collector.envstep)
        if saved == self.saved_state:
            return
        ckpt_dir = self.run_dir / CKPT_DIR
        path = ckpt_dir / f"iteration_{self.learner.train_iter}.pth.tar"
        self._save(path)
        self.saved_state, self.saved_at = saved, time.monotonic()
        removed = prune_checkpoints(str(ckpt_dir), self.cfg["policy"]["learn"]["learner"]["max_ckpt_keep"])
        self.side.prune(tuple(removed))

    def _save_best(self, ctx: RunContext) -> None:
        if ctx.eval_result.get("improved"):
            self._save(self.run_dir / CKPT_DIR / BEST_CKPT)
            self.side.prune()
