"""SerialPipeline: compile a config, wire the workers through hooks, run, checkpoint and resume.

Everything that can fail on the user's input (config, checkpoint, directories) fails in
``__init__``, before a file or directory is created; ``run`` is the only method that writes.
"""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Any

import torch

from ding_lite.config import ConfigError, compile_config, load_config_file, save_config
from ding_lite.envs import manager as env_manager
from ding_lite.envs.registry import resolve_env_id
from ding_lite.policy.registry import get_policy_class
from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint, prune_checkpoints, save_checkpoint
from ding_lite.utils.rng import get_rng_state, seed_everything, set_rng_state
from ding_lite.utils.run_log import RunLog
from ding_lite.utils.tb_writer import ScalarWriter, truncate_events
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
from entry.config_changes import classify_changes
from entry.pipeline_config import HORIZON_KEYS, pipeline_defaults, pipeline_rules
from entry.progress import Progress
from entry.run_dirs import (
    BEST_CKPT,
    CKPT_DIR,
    LOG_DIR,
    TB_SUBDIR,
    check_writable,
    create_run_dir,
    resolve_resume,
    run_dir_of_checkpoint,
)
from entry.run_report import config_markdown


def buffer_side_file(ckpt: Path) -> Path:
    """``iteration_N.pth.tar`` -> ``iteration_N.replay_buffer.pth.tar`` beside it."""
    return ckpt.with_name(ckpt.name.replace(".pth.tar", ".replay_buffer.pth.tar"))


def _policy_type(main: dict, create: dict, default: str) -> str:
    for tree in (create, main):
        name = (tree.get("policy") or {}).get("type")
        if name:
            return name
    return default


def set_horizons(cfg: dict, horizons: dict[str, int | None]) -> None:
    """Stop criteria given by the caller (CLI flags, ``run()`` arguments) replace the configured ones."""
    for key, value in horizons.items():
        if value is not None:
            if value < 1:
                raise ConfigError(f"{key} must be >= 1, got {value}.")
            cfg[key] = value


class SerialPipeline:
    """One training run. Construct (validates everything), optionally ``register_hook``, then ``run``."""

    def __init__(self, main_config: dict, create_config: dict | None = None, *, seed: int | None = None,
                 max_env_step: int | None = None, max_train_iter: int | None = None,
                 resume: str | None = None, default_policy: str = "ppo", config_path: str | None = None,
                 base_dir: str | Path = ".") -> None:
        create_config = create_config or {}
        policy_name = _policy_type(main_config, create_config, default_policy)
        policy_cls = get_policy_class(policy_name)
        cfg = compile_config(main_config, create_config, pipeline_defaults(policy_cls), pipeline_rules(policy_cls))
        overrides = {"max_env_step": max_env_step, "max_train_iter": max_train_iter}
        set_horizons(cfg, overrides)
        if seed is not None:
            cfg["seed"] = seed
        cfg["env"]["env_id"] = resolve_env_id(cfg["env"])
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
        self.warnings: list[str] = []
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

    def _reconcile_with_checkpoint(self, cfg: dict, overrides: dict) -> None:
        saved = self.checkpoint["config"]
        for key in HORIZON_KEYS:
            if overrides[key] is None and cfg[key] is None:
                cfg[key] = saved.get(key)
        refused, warned = classify_changes(saved, cfg)
        if refused:
            raise CheckpointError(
                f"checkpoint '{self.ckpt_path}' was made under a config that differs in keys that shape its saved "
                f"state ({', '.join(refused)}); resume with the original values or start a new run."
            )
        if warned:
            self.warnings.append(f"resuming with config changes that the checkpoint did not have: {', '.join(warned)}")

    def _build(self) -> None:
        """Envs, policy and shape checks: no file is touched here."""
        cfg, env_cfg = self.cfg, self.cfg["env"]
        seed = cfg["seed"]
        torch.set_num_threads(1)
        seed_everything(seed)
        manager_type = env_cfg["manager"]["type"]
        self.collector_env = env_manager.VectorEnvManager(
            env_cfg["env_id"], env_cfg["collector_env_num"], seed, manager_type, env_cfg["max_episode_steps"])
        self.evaluator_env = env_manager.VectorEnvManager(
            env_cfg["env_id"], env_cfg["evaluator_env_num"], seed, manager_type, env_cfg["max_episode_steps"])
        self._check_spaces()
        self.policy = self.policy_cls(cfg["policy"], seed)
        space = self.collector_env.action_space
        if hasattr(self.policy, "set_action_bounds") and hasattr(space, "low"):
            self.policy.set_action_bounds(space.low, space.high)
        if self.checkpoint is not None:
            self.policy.check_learn_state(self.checkpoint["policy"], str(self.ckpt_path))

    def _check_spaces(self) -> None:
        model = self.cfg["policy"]["model"]
        obs_space, act_space = self.collector_env.observation_space, self.collector_env.action_space
        env_id = self.cfg["env"]["env_id"]
        if obs_space.shape != (model["obs_shape"],):
            raise ConfigError(f"config key 'policy.model.obs_shape' is {model['obs_shape']}, "
                              f"but {env_id} observations have shape {obs_space.shape}.")
        discrete = hasattr(act_space, "n")
        n_actions = int(act_space.n) if discrete else int(act_space.shape[0])
        kind = "discrete" if discrete else "continuous"
        if model["action_space"] != kind or self.cfg["policy"]["action_space"] != kind:
            raise ConfigError(f"config key 'policy.model.action_space' must be '{kind}' for {env_id}.")
        if model["action_shape"] != n_actions:
            raise ConfigError(f"config key 'policy.model.action_shape' is {model['action_shape']}, "
                              f"but {env_id} has {n_actions} {'actions' if discrete else 'action dimensions'}.")

    def register_hook(self, position: str, hook: Hook | Any, priority: int | None = None,
                      freq: int | None = None) -> None:
        """User hooks, added to the registry with the built-in ones when the run starts."""
        self._user_hooks.append((position, hook, priority, freq))

    # ----------------------------------------------------------------- run state

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
            "config": self.cfg,
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
            self.log.write(f"env state in this checkpoint comes from the '{saved_env.get('kind', 'sync')}' env manager "
                           f"and this run uses '{self.collector_env.kind}': envs start new episodes on resume")
        elif not restorable:
            self.log.write("env state was not captured in this checkpoint: envs start new episodes on resume")
        set_rng_state(ckpt["rng"])
        self._restore_buffer()
        self.log.write(f"resumed from {self.ckpt_path} at train_iter={self.learner.train_iter} "
                       f"envstep={self.collector.envstep}")

    def _restore_buffer(self) -> None:
        buffer = getattr(self.policy, "replay_buffer", None)
        if buffer is None:
            return
        side = buffer_side_file(self.ckpt_path)
        if side.exists():
            buffer.load(str(side))
            self.log.write(f"replay buffer restored from {side} ({len(buffer):,} transitions)")
        else:
            self.log.write("replay buffer was not saved with this checkpoint: it starts empty and training resumes "
                           "once it refills to the start threshold; exploration continues from the restored envstep")

    def _save(self, path: Path) -> None:
        state = self.state_dict()  # its tb_last_steps() flushes the writer: the file covers what it records
        if state["collector"]["env"] is None and not self._said_env_uncaptured:
            self._said_env_uncaptured = True
            self.log.write(f"env state of {self.cfg['env']['env_id']} with the '{self.cfg['env']['manager']['type']}' "
                           "manager cannot be captured: checkpoints keep everything else, and a resume starts new "
                           "episodes")
        save_checkpoint(state, str(path))

    def _save_iteration(self, ctx: RunContext) -> None:
        ckpt_dir = self.run_dir / CKPT_DIR
        path = ckpt_dir / f"iteration_{self.learner.train_iter}.pth.tar"
        buffer = getattr(self.policy, "replay_buffer", None)
        if buffer is not None and self.cfg["policy"]["other"]["replay_buffer"]["save_with_ckpt"]:
            buffer.save(str(buffer_side_file(path)))  # first, so every complete checkpoint has its buffer
        self._save(path)
        for removed in prune_checkpoints(str(ckpt_dir), self.cfg["policy"]["learn"]["learner"]["max_ckpt_keep"]):
            buffer_side_file(Path(removed)).unlink(missing_ok=True)

    def _save_best(self, ctx: RunContext) -> None:
        if ctx.eval_result.get("improved"):
            self._save(self.run_dir / CKPT_DIR / BEST_CKPT)

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
        ctx, writer = self.ctx, self.writer
        for key, value in values.items():
            writer.add_scalar(f"{prefix}_iter/{key}", value, ctx.train_iter)
            writer.add_scalar(f"{prefix}_step/{key}", value, ctx.envstep)

    def _report_learner(self, values: dict[str, float], ctx: RunContext) -> None:
        self._report("learner", values)

    def _wire(self) -> None:
        cfg, pol = self.cfg, self.cfg["policy"]
        hook_cfg = pol["learn"]["learner"]["hook"]
        self.ctx = ctx = RunContext()
        self.hooks = hooks = HookRegistry()
        self.learner = learner_mod.Learner(self.policy, hooks, ctx)
        if pol["collect"]["collector"]["type"] == "episode":
            self.collector = collector_mod.EpisodeSerialCollector(
                self.collector_env, self.policy.collect_forward, pol["collect"]["n_episode"], hooks, ctx, self._report)
        else:
            self.collector = collector_mod.SampleSerialCollector(
                self.collector_env, self.policy.collect_forward, pol["collect"]["n_sample"], hooks, ctx, self._report)
        self.evaluator = evaluator_mod.InteractionSerialEvaluator(
            self.evaluator_env, self.policy.eval_forward, pol["eval"]["evaluator"]["eval_freq"],
            cfg["env"]["n_evaluator_episode"], cfg["env"]["stop_value"], hooks, ctx, self._report)
        if self.checkpoint is not None:
            hooks.register("before_run", LoadCkptHook(self.checkpoint, self._restore))
        if hook_cfg["save_ckpt_after_iter"]:
            hooks.register("after_iter", SaveCkptHook(hook_cfg["save_ckpt_after_iter"], self._save_iteration))
        if hook_cfg["save_ckpt_after_run"]:
            hooks.register("after_run", SaveCkptAfterRunHook(self._save_iteration))
        hooks.register("after_iter", LogShowHook(hook_cfg["log_show_after_iter"], self.log.write))
        hooks.register("after_iter", CycleMeanHook(self._report_learner))
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

    def run(self, max_env_step: int | None = None, max_train_iter: int | None = None) -> SerialPipeline:
        """Train until stop_value, max_env_step, max_train_iter or SIGINT/SIGTERM; always leaves a checkpoint.

        New horizons given here replace the configured ones (garage's ``resume(n_epochs=...)``).
        """
        set_horizons(self.cfg, {"max_env_step": max_env_step, "max_train_iter": max_train_iter})
        start = time.perf_counter()
        self._open_run_dir()
        self._wire()
        for message in self.warnings:
            self.log.write(f"warning: {message}")
            print(f"warning: {message}", file=sys.stderr)
        self.log.write(f"run dir {self.run_dir}; env {self.cfg['env']['env_id']}; seed {self.cfg['seed']}; "
                       f"env manager {self.collector_env.choice}")
        self._signal = ""
        self._said_env_uncaptured = False
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.hooks.call("before_run", self.ctx)
            self.ctx.train_iter, self.ctx.envstep = self.learner.train_iter, self.collector.envstep
            self.progress = Progress(self.cfg, self.collector.envstep, self.log.write)
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


def load_pipeline(config: str, **kwargs: Any) -> SerialPipeline:
    """Build a pipeline from a config file path (or a shipped config's name)."""
    main, create, path = load_config_file(config)
    return SerialPipeline(main, create, config_path=str(path), **kwargs)


def restore_pipeline(target: str, config: str | None = None, **kwargs: Any) -> SerialPipeline:
    """garage's ``Trainer.restore``: a run dir or checkpoint, rebuilt under the config it was made with.

    ``config`` defaults to the run's own ``total_config.py``; pass one (a path or a shipped name) to
    resume with edits, or to use ``target='latest'``. Call ``.run(max_env_step=...)`` to continue.
    """
    if config is None:
        path = Path(target).expanduser().resolve()
        run_dir = path if path.is_dir() else run_dir_of_checkpoint(path)
        config = str(run_dir / "total_config.py")
        if not Path(config).is_file():
            raise ConfigError(f"'{run_dir}' has no total_config.py: pass the config the run was trained with.")
    return load_pipeline(config, resume=target, **kwargs)


def run_entry(input_cfg: str | tuple[dict, dict], default_policy: str, seed: int | None = None,
              **kwargs: Any) -> SerialPipeline:
    """DI-engine's entry-function shape: a config path or a (main_config, create_config) pair; returns the run."""
    if isinstance(input_cfg, str):
        return load_pipeline(input_cfg, seed=seed, default_policy=default_policy, **kwargs).run()
    main_config, create_config = input_cfg
    return SerialPipeline(main_config, create_config, seed=seed, default_policy=default_policy, **kwargs).run()
