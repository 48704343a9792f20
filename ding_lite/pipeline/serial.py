"""SerialPipeline: compile a config, wire the workers through hooks, run, checkpoint and resume.

Everything that can fail on the user's input (config, checkpoint, directories) fails in
``__init__``, before a file or directory is created; ``run`` is the only method that writes.
"""
from __future__ import annotations

import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, TextIO

import torch

from ding_lite.config import ConfigError, compile_config, save_config
from ding_lite.config.save import config_markdown
from ding_lite.envs.make import env_options
from ding_lite.envs.managers import make_manager
from ding_lite.envs.registry import resolve_env
from ding_lite.pipeline.layout import (
    CKPT_DIR,
    LOG_DIR,
    TB_SUBDIR,
    check_writable,
    create_run_dir,
    resolve_resume,
    run_dir_of_checkpoint,
)
from ding_lite.pipeline.progress import Progress
from ding_lite.pipeline.side_state import SideState
from ding_lite.pipeline.state import RunState
from ding_lite.pipeline.train_args import set_batch, set_horizons, show_restore
from ding_lite.pipeline.tree import config_notes, pipeline_defaults, pipeline_rules
from ding_lite.policy.registry import get_policy_class
from ding_lite.utils.checkpoint_io import load_checkpoint
from ding_lite.utils.rng import seed_everything
from ding_lite.utils.run_log import RunLog
from ding_lite.utils.tensorboard import ScalarWriter, truncate_events
from ding_lite.worker import collector as collector_mod
from ding_lite.worker import evaluator as evaluator_mod
from ding_lite.worker import learner as learner_mod
from ding_lite.worker.hooks import (
    CycleMeanHook,
    Hook,
    HookRegistry,
    LoadCkptHook,
    LogShowHook,
    RunContext,
    SaveCkptAfterRunHook,
    SaveCkptHook,
)


def policy_type(main: dict, create: dict, default: str) -> str:
    for tree in (create, main):
        name = (tree.get("policy") or {}).get("type")
        if name:
            return name
    return default


class SerialPipeline(RunState):
    """One training run. Construct (validates everything), optionally ``register_hook``, then ``run``."""

    def __init__(self, main_config: dict, create_config: dict | None = None, *, seed: int | None = None,
                 max_env_step: int | None = None, max_train_iter: int | None = None,
                 resume: str | None = None, default_policy: str = "ppo", config_path: str | None = None,
                 base_dir: str | Path = ".") -> None:
        create_config = create_config or {}
        policy_name = policy_type(main_config, create_config, default_policy)
        policy_cls = get_policy_class(policy_name)
        cfg = compile_config(main_config, create_config, pipeline_defaults(policy_cls), pipeline_rules(policy_cls))
        overrides = {"max_env_step": max_env_step, "max_train_iter": max_train_iter}
        set_horizons(cfg, overrides)
        if seed is not None:
            cfg["seed"] = seed
        cfg["env"]["env_id"], env_note = resolve_env(cfg["env"])
        self.base_dir = Path(base_dir).resolve()
        self.config_path = config_path
        self.policy_cls = policy_cls
        learn = cfg["policy"]["learn"]
        if resume is not None:
            ckpt = resolve_resume(resume, cfg["exp_name"], self.base_dir)
            learn["learner"]["hook"]["load_ckpt_before_run"] = str(ckpt)
            learn["resume_training"] = True
        self.checkpoint: dict | None = None
        self.ckpt_path: Path | None = None
        load_path = learn["learner"]["hook"]["load_ckpt_before_run"]
        if load_path:
            self.ckpt_path = Path(load_path).expanduser().resolve()
            if not self.ckpt_path.exists():
                raise ConfigError(
                    f"config key 'policy.learn.learner.hook.load_ckpt_before_run' names '{load_path}', which does not exist."
                )
            self.checkpoint = load_checkpoint(str(self.ckpt_path), expect_algo=policy_name)
        elif learn["resume_training"]:
            raise ConfigError("config key 'policy.learn.resume_training' is True but no checkpoint is named: "
                              "set policy.learn.learner.hook.load_ckpt_before_run or pass --resume.")
        self.resuming = bool(self.checkpoint) and learn["resume_training"]
        self.warnings: list[str] = [env_note] if env_note else []
        if self.resuming:
            self._reconcile_with_checkpoint(cfg, overrides)
            self.run_dir = run_dir_of_checkpoint(self.ckpt_path)
        else:
            self.run_dir = self.base_dir / cfg["exp_name"]
            check_writable(self.run_dir)
        self.cfg = cfg
        self._build()
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
                                          env_options=env_options(env_cfg, evaluator=True))
        self.policy = self.policy_cls(cfg["policy"], seed, action_space=self.collector_env.action_space)
        self.policy.check_spaces(self.collector_env.observation_space, self.collector_env.action_space, env_cfg["env_id"])
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
        (self.run_dir / CKPT_DIR).mkdir(exist_ok=True)
        config_file = self.run_dir / "total_config.py"
        if self.resuming and config_file.exists():
            config_file = self.run_dir / f"total_config_resume_iter{self.checkpoint['train_iter']}.py"
        save_config(self.cfg, str(config_file))
        self.log = RunLog(self.run_dir / LOG_DIR / "train.log")
        self.writer = ScalarWriter(str(self.run_dir / LOG_DIR / TB_SUBDIR))
        if not self.resuming:  # a resumed run keeps the text its first session wrote
            self.writer.add_text("config", config_markdown(self.cfg))

    def _report(self, prefix: str, values: dict[str, float]) -> None:
        """The one channel through which collector, evaluator and learner write their curves."""
        ctx, writer = self.ctx, self.writer
        for key, value in values.items():
            writer.add_scalar(f"{prefix}_iter/{key}", value, ctx.train_iter)
            writer.add_scalar(f"{prefix}_step/{key}", value, ctx.envstep)

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
        self.side = SideState(self.run_dir / CKPT_DIR, self.policy.side_state(), self.log.write, self._note)
        if self.checkpoint is not None:
            hooks.register("before_run", LoadCkptHook(self.checkpoint, self._restore))
        if hook_cfg["save_ckpt_after_iter"]:
            hooks.register("after_iter", SaveCkptHook(hook_cfg["save_ckpt_after_iter"], self._save_iteration))
        if hook_cfg["save_ckpt_after_run"]:
            hooks.register("after_run", SaveCkptAfterRunHook(self._save_iteration))
        hooks.register("after_iter", LogShowHook(hook_cfg["log_show_after_iter"], self.log.write))
        hooks.register("after_iter", CycleMeanHook(self._report))
        hooks.register("after_eval", Hook("save_ckpt_best", self._save_best, priority=80))
        for position, hook, priority, freq in self._user_hooks:
            hooks.register(position, hook, priority, freq)

    # ----------------------------------------------------------------- the loop

    def _stop_due(self) -> str:
        if self._signal:
            return f"received {self._signal}"
        if self.ctx.stop_requested:
            return self.ctx.stop_requested
        max_env, max_iter = self.cfg["max_env_step"], self.cfg["max_train_iter"]
        if max_env is not None and self.collector.envstep >= max_env:
            return f"reached max_env_step {max_env:,}"
        if max_iter is not None and self.learner.train_iter >= max_iter:
            return f"reached max_train_iter {max_iter:,}"
        return ""

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._signal:
            raise KeyboardInterrupt
        self._signal = signal.Signals(signum).name

    def _install_signal_handlers(self) -> dict:
        """SIGINT/SIGTERM finish the step and save; Python allows handlers only on the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def _warn(self, message: str, console: TextIO | None) -> None:
        self.log.write(f"warning: {message}")
        if console is not None:
            print(f"warning: {message}", file=sys.stderr)
        else:
            warnings.warn(message, stacklevel=3)

    def run(self, max_env_step: int | None = None, max_train_iter: int | None = None,
            console: TextIO | None = None, *, n_sample: int | None = None,
            n_episode: int | None = None) -> SerialPipeline:
        """Train until stop_value, max_env_step, max_train_iter or SIGINT/SIGTERM; always leaves a checkpoint.

        New horizons and a new per-iteration batch (``n_sample``/``n_episode``) given here replace the
        configured ones (garage's ``resume(n_epochs=..., batch_size=...)``). ``console`` (the CLI passes
        stdout) gets the progress line and, on a resume, the restore table; without it the run prints nothing.
        """
        batch_notes = set_batch(self.cfg, self.policy.name, {"n_sample": n_sample, "n_episode": n_episode})
        set_horizons(self.cfg, {"max_env_step": max_env_step, "max_train_iter": max_train_iter})
        start = time.perf_counter()
        self.console, self.progress = console, None
        self._open_run_dir()
        self._wire()
        for message in self.warnings:
            self._warn(message, console)
        for note in [*config_notes(self.cfg), *self.policy.notes, *batch_notes]:
            self.log.write(note)
        if self.resuming:
            show_restore(self.cfg, self.checkpoint, self.log.write, console)
        self.log.write(f"run dir {self.run_dir}; env {self.cfg['env']['env_id']}; seed {self.cfg['seed']}; "
                       f"env manager {self.collector_env.choice}")
        self.collector_env.say = self.evaluator_env.say = self.log.write
        self._signal = ""
        self._said_env_uncaptured = False
        previous = self._install_signal_handlers()
        try:
            self.hooks.call("before_run", self.ctx)
            self.ctx.train_iter, self.ctx.envstep = self.learner.train_iter, self.collector.envstep
            self.progress = Progress(self.cfg, self.collector.envstep, self.log.write, console)
            try:
                self._loop()
            finally:
                self.progress.close()
            self.hooks.call("after_run", self.ctx)
            if self._signal and not self.cfg["policy"]["learn"]["learner"]["hook"]["save_ckpt_after_run"]:
                self._save_iteration(self.ctx)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.writer.close()
            self.collector_env.close()
            self.evaluator_env.close()
        self.wall_seconds = time.perf_counter() - start
        self.log.write(f"stopped: {self.stop_reason}")
        self.log.close()
        return self

    def _loop(self) -> None:
        evaluator, collector, learner, policy = self.evaluator, self.collector, self.learner, self.policy
        self.stop_reason = self._stop_due()  # a resumed run may already be at its horizon: do nothing more
        if self.stop_reason:
            return
        while True:
            if evaluator.should_eval(learner.train_iter):
                reached = evaluator.eval()
                self.writer.flush()  # curves appear in TensorBoard at every eval, not only at checkpoints
                self.progress.eval_line(learner.train_iter, collector.envstep, evaluator)
                if reached:
                    self.stop_reason = (f"eval return {evaluator.last_return:.1f} reached stop_value "
                                        f"{self.cfg['env']['stop_value']}")
                    return
            data = policy.process_rollout(*collector.collect())
            if data is not None:
                learner.train(data)
            self.progress.update(learner.train_iter, collector.envstep)
            self.stop_reason = self._stop_due()
            if self.stop_reason:
                return

