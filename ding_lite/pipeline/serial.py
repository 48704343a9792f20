"""SerialPipeline: compile a config, wire the workers through hooks, run, checkpoint and resume.

Everything that can fail on the user's input (config, checkpoint, directories) fails in
``__init__``, before a file or directory is created; ``run`` is the only method that writes.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TextIO

import torch

from ding_lite.config import save_config
from ding_lite.config.save import config_markdown
from ding_lite.envs.make import env_options
from ding_lite.envs.managers import make_manager
from ding_lite.envs.managers.base import EnvFailure
from ding_lite.envs.registry import resolve_env
from ding_lite.pipeline import interrupts
from ding_lite.pipeline.claim import claim_for_resume, clean_up, end_session, released_on_error
from ding_lite.pipeline.console import note, warn
from ding_lite.pipeline.finite import FiniteGuard
from ding_lite.pipeline.layout import (
    CKPT_DIR,
    LOG_DIR,
    TB_SUBDIR,
    create_run_dir,
    run_dir_of_checkpoint,
)
from ding_lite.pipeline.lock import RunLock
from ding_lite.pipeline.logs import RunLogs
from ding_lite.pipeline.progress import Progress
from ding_lite.pipeline.side_state import SideState
from ding_lite.pipeline.start import start_checkpoint
from ding_lite.pipeline.state import RunState
from ding_lite.pipeline.train_args import set_batch, set_horizons, show_restore
from ding_lite.pipeline.tree import compile_run_config, console_notes, pipeline_keys, policy_type
from ding_lite.pipeline.videos import plan_videos
from ding_lite.pipeline.writable import check_new_run
from ding_lite.policy.registry import get_policy_class
from ding_lite.utils.rng import seed_everything
from ding_lite.utils.run_log import RunLog
from ding_lite.utils.tensorboard import ScalarWriter, truncate_events
from ding_lite.worker import collector as collector_mod
from ding_lite.worker import evaluator as evaluator_mod
from ding_lite.worker import learner as learner_mod
from ding_lite.worker.collect_print import CollectPrintHook
from ding_lite.worker.hooks import (
    CycleMeanHook,
    Hook,
    HookRegistry,
    LoadCkptHook,
    LogShowHook,
    RunContext,
)


class SerialPipeline(RunState, RunLogs):
    """One training run. Construct (validates everything), optionally ``register_hook``, then ``run``."""

    def __init__(self, main_config: dict, create_config: dict | None = None, *, seed: int | None = None,
                 max_env_step: int | None = None, max_train_iter: int | None = None,
                 resume: str | None = None, default_policy: str = "ppo", config_path: str | None = None,
                 base_dir: str | Path = ".", wandb_project: str | None = None) -> None:
        create_config = create_config or {}
        policy_name = policy_type(main_config, create_config, default_policy)
        policy_cls = get_policy_class(policy_name)
        cfg = compile_run_config(main_config, create_config, policy_cls)
        overrides = {"max_env_step": max_env_step, "max_train_iter": max_train_iter}
        set_horizons(cfg, overrides)
        if seed is not None:
            cfg["seed"] = seed
        cfg["wandb"]["project"] = wandb_project or cfg["wandb"]["project"]
        cfg["env"]["env_id"], env_note = resolve_env(cfg["env"])
        self.base_dir = Path(base_dir).resolve()
        self.config_path = config_path
        self.policy_cls = policy_cls
        learn = cfg["policy"]["learn"]
        self.ckpt_path, self.checkpoint, passed_over = start_checkpoint(resume, cfg, self.base_dir, policy_cls.name)
        self.resuming = bool(self.checkpoint) and learn["resume_training"]
        self.warnings: list[str] = [text for text in (env_note, passed_over) if text]
        self.warnings += console_notes(main_config, create_config, cfg, policy_cls)
        self.videos, video_note = plan_videos(cfg["env"], cfg["policy"]["eval"]["evaluator"]["render"], self.base_dir)
        self.warnings += [video_note] if video_note else []
        if self.resuming:
            self._reconcile_with_checkpoint(cfg, overrides, seed)
            self.run_dir = run_dir_of_checkpoint(self.ckpt_path)
        else:
            self.run_dir = self.base_dir / cfg["exp_name"]
        self.cfg = cfg
        self._build()
        # last, after every check that only reads: nothing after it can fail, a refused run changed nothing
        self.lock: RunLock | None = claim_for_resume(self.run_dir) if self.resuming else None
        if not self.resuming:
            check_new_run(self.run_dir)
        self._user_hooks: list[tuple[str, Hook, int | None, int | None]] = []
        self.stop_reason = ""

    def _build(self) -> None:
        """Envs, policy and shape checks: no file is touched here."""
        cfg, env_cfg = self.cfg, self.cfg["env"]
        seed = cfg["seed"]
        torch.set_num_threads(1)
        seed_everything(seed)
        manager_type = env_cfg["manager"]["type"]
        self.collector_env = make_manager(env_cfg["env_id"], env_cfg["collector_env_num"], seed, manager_type,
                                          env_cfg["max_episode_steps"], env_cfg["manager"],
                                          env_options=env_options(env_cfg, evaluator=False))
        self.evaluator_env = make_manager(env_cfg["env_id"], env_cfg["evaluator_env_num"], seed, manager_type,
                                          env_cfg["max_episode_steps"], env_cfg["manager"],
                                          env_options=env_options(env_cfg, evaluator=True,
                                                                  render=self.videos is not None))
        self.policy = self.policy_cls(cfg["policy"], seed, action_space=self.collector_env.action_space)
        self.policy.check_spaces(self.collector_env.observation_space, self.collector_env.action_space, env_cfg["env_id"])
        self.warnings += self.policy.console_notes
        if self.checkpoint is not None:
            self.policy.check_learn_state(self.checkpoint["policy"], str(self.ckpt_path))

    def register_hook(self, position: str, hook: Hook | Any, priority: int | None = None,
                      freq: int | None = None) -> None:
        """User hooks, added to the registry with the built-in ones when the run starts."""
        self._user_hooks.append((position, hook, priority, freq))

    # ----------------------------------------------------------------- wiring

    def _open_run_dir(self) -> None:
        if self.resuming:
            truncate_events(str(self.run_dir / LOG_DIR / TB_SUBDIR), self.checkpoint.get("tb_last_steps", {}))
        else:
            self.run_dir = create_run_dir(self.cfg["exp_name"], self.base_dir)
            self.lock = RunLock(self.run_dir)
            self.lock.acquire()
        (self.run_dir / CKPT_DIR).mkdir(exist_ok=True)
        if self.videos is not None and self.videos.directory is None:  # render without replay_path
            self.videos.directory = self.run_dir / "videos"
        config_file = self.run_dir / "total_config.py"
        if self.resuming and config_file.exists():
            config_file = self.run_dir / f"total_config_resume_iter{self.checkpoint['train_iter']}.py"
        save_config(self.cfg, str(config_file), pipeline_keys(self.policy_cls))
        self.log = RunLog(self.run_dir / LOG_DIR / "train.log")
        self.writer = ScalarWriter(str(self.run_dir / LOG_DIR / TB_SUBDIR))
        if not self.resuming:  # a resumed run keeps the text its first session wrote
            self.writer.add_text("config", config_markdown(self.cfg))

    def _wire(self) -> None:
        cfg, pol = self.cfg, self.cfg["policy"]
        hook_cfg = pol["learn"]["learner"]["hook"]
        self.ctx = ctx = RunContext()
        self.hooks = hooks = HookRegistry()
        self.learner = learner_mod.Learner(self.policy, hooks, ctx)
        collector_cls = (collector_mod.EpisodeSerialCollector if pol["collect"]["collector"]["type"] == "episode"
                         else collector_mod.SampleSerialCollector)
        amount = pol["collect"]["n_episode" if collector_cls is collector_mod.EpisodeSerialCollector else "n_sample"]
        self.collector = collector_cls(self.collector_env, self.policy.collect_forward, amount, hooks, ctx, self._report)
        self.evaluator = evaluator_mod.InteractionSerialEvaluator(
            self.evaluator_env, self.policy.eval_forward, pol["eval"]["evaluator"]["eval_freq"],
            cfg["env"]["n_evaluator_episode"], cfg["env"]["stop_value"], hooks, ctx, self._report)
        self.evaluator.videos = self.videos
        self.side = SideState(self.run_dir / CKPT_DIR, self.policy.side_state(), self.log.write,
                              lambda message: self.say(message))
        if self.checkpoint is not None:
            hooks.register("before_run", LoadCkptHook(self.checkpoint, self._restore))
        self._register_saves(hooks, hook_cfg)
        hooks.register("after_iter", LogShowHook(hook_cfg["log_show_after_iter"], self.log.write))
        hooks.register("after_iter", CycleMeanHook(self._report))
        self.guard = FiniteGuard(self.policy, ctx)
        self.guard.register(hooks)
        self.collect_print = CollectPrintHook(pol["collect"]["collector"]["collect_print_freq"], self.log.write)
        hooks.register("after_collect", self.collect_print)
        for position, hook, priority, freq in self._user_hooks:
            hooks.register(position, hook, priority, freq)

    # ----------------------------------------------------------------- the loop

    def _stop_due(self) -> str:
        if interrupts.received():
            self.interrupted = interrupts.received()
            return f"received {self.interrupted}"
        if self.ctx.stop_requested:
            return self.ctx.stop_requested
        max_env, max_iter = self.cfg["max_env_step"], self.cfg["max_train_iter"]
        if max_env is not None and self.collector.envstep >= max_env:
            return f"reached max_env_step {max_env:,}"
        if max_iter is not None and self.learner.train_iter >= max_iter:
            return f"reached max_train_iter {max_iter:,}"
        return ""

    def run(self, max_env_step: int | None = None, max_train_iter: int | None = None,
            console: TextIO | None = None, *, n_sample: int | None = None,
            n_episode: int | None = None) -> SerialPipeline:
        """Train until stop_value, max_env_step, max_train_iter or a stop signal; always leaves a checkpoint.

        A stop signal (``interrupts``) ends it after its step with a checkpoint and sets ``interrupted``; a lost
        env (``EnvFailure``) is raised with nothing more written, so the newest checkpoint is the last consistent.

        New horizons and a new per-iteration batch (``n_sample``/``n_episode``) given here replace the
        configured ones (garage's ``resume(n_epochs=..., batch_size=...)``). ``console`` (the CLI passes
        stdout) gets the progress line and, on a resume, the restore table; without it the run prints nothing.
        """
        batch_notes = set_batch(self.cfg, self.policy.name, {"n_sample": n_sample, "n_episode": n_episode})
        set_horizons(self.cfg, {"max_env_step": max_env_step, "max_train_iter": max_train_iter})
        start = time.perf_counter()
        self.interrupted = ""
        previous = interrupts.install(announce=console is not None)  # before any file: every stop saves
        try:
            self._run(console, batch_notes)
        finally:
            interrupts.restore(previous)
        if self.interrupted:
            interrupts.clear()  # acted on: a later run in this process starts afresh
        self.wall_seconds = time.perf_counter() - start
        return self

    def _run(self, console: TextIO | None, batch_notes: list[str]) -> None:
        with released_on_error(self):  # a full disk before the loop is one sentence too
            self._open_run_dir()
            self._wire()
            for message in self.warnings:
                warn(message, self.log.write, console)
            self._open_wandb(lambda message: warn(message, self.log.write, console))
            self.say = lambda message: note(message, self.log.write, console)
            clean_up(self.lock, self.say)
            for text in [*self.policy.notes, *batch_notes]:
                self.say(text)
            if self.resuming:
                show_restore(self.cfg, self.checkpoint, self.log.write, console)
            self.log.write(f"run dir {self.run_dir}; env {self.cfg['env']['env_id']}; seed {self.cfg['seed']}; "
                           f"env manager {self.collector_env.choice}")
            self.collector_env.say = self.evaluator_env.say = self.say  # a worker restarted: not exact any more
        self._said_env_uncaptured = False
        failure: BaseException | None = None
        try:
            self.hooks.call("before_run", self.ctx)
            self.ctx.train_iter, self.ctx.envstep = self.learner.train_iter, self.collector.envstep
            self.collect_print.start(self.learner.train_iter, self.collector.episode_count)
            self.progress = Progress(self.cfg, self.collector.envstep, self.log.write, console)
            try:
                self._loop()
            finally:
                self.progress.close()
            self.hooks.call("after_run", self.ctx)
            if self.interrupted and not self.cfg["policy"]["learn"]["learner"]["hook"]["save_ckpt_after_run"]:
                self._save_iteration(self.ctx)
        except EnvFailure as exc:
            self.stop_reason, failure = str(exc), exc
        except interrupts.RunAborted as exc:
            self.stop_reason, failure = "aborted by a second SIGINT before this step was saved", exc
        except BaseException as exc:  # noqa: BLE001 - end_session closes everything, then it is raised again
            failure = exc
        failure = end_session(self, failure)  # a full disk or a non-finite value becomes its one sentence
        if failure is not None:
            raise failure

    def _loop(self) -> None:
        evaluator, collector, learner, policy = self.evaluator, self.collector, self.learner, self.policy
        self.stop_reason = self._stop_due()  # a resumed run may already be at its horizon: do nothing more
        if self.stop_reason:
            return
        while True:
            if evaluator.should_eval(learner.train_iter):
                reached = evaluator.eval()
                self._flush_logs()
                self.progress.eval_line(learner.train_iter, collector.envstep, evaluator)
                if reached:
                    self.stop_reason = (f"eval return {evaluator.last_return:.1f} reached stop_value "
                                        f"{self.cfg['env']['stop_value']}")
                    return
                if interrupts.received():  # a signal during the evaluation: it was the step to finish
                    self.stop_reason = self._stop_due()
                    return
            rollout = collector.collect()
            self.guard.rollout(*rollout)
            data = policy.process_rollout(*rollout)
            if data is not None:
                learner.train(data)
            self.progress.update(learner.train_iter, collector.envstep)
            self.stop_reason = self._stop_due()
            if self.stop_reason:
                return

