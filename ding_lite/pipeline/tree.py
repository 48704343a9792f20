"""The config tree of a serial run: the pipeline's own keys, with every component's declarations mounted."""
from __future__ import annotations

from ding_lite.config.compile import compile_config
from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import SILENT, Key, defaults, mount
from ding_lite.config.rules import all_of, of_type, positive
from ding_lite.envs import managers as env_manager
from ding_lite.worker import collector as collector_mod
from ding_lite.worker import evaluator as evaluator_mod
from ding_lite.worker import learner as learner_mod

HORIZON_KEYS = ("max_env_step", "max_train_iter")
_HORIZON_RULE = all_of(of_type(int), positive)

PIPELINE_KEYS = dict(
    exp_name=Key("default_experiment", "experiment dir name (relative to the working directory)",
                 lambda v: None if v.strip() else "be a non-empty name", resume=SILENT),
    seed=Key(0, "seeds python, numpy, torch, every env and every sampler (a resume keeps the checkpoint's)",
             resume=SILENT),
    max_env_step=Key(None, "stop after this many env steps (None: no limit)", _HORIZON_RULE, resume=SILENT),
    max_train_iter=Key(None, "stop after this many gradient updates (None: no limit)", _HORIZON_RULE, resume=SILENT),
)
"""The top-level keys (DI-engine passes seed and the horizons to its entry functions; the files may set them)."""

RESUME_KEYS = dict(
    resume_training=Key(False, "continue the checkpoint's run: counters, RNG, logs, dirs", resume=SILENT),
)


def pipeline_keys(policy_cls: type) -> dict:
    """Every key a serial run of ``policy_cls`` reads, as one declaration tree."""
    policy = policy_cls.declared_keys()
    policy = mount(policy, "learn", RESUME_KEYS)
    policy = mount(policy, "learn.learner", learner_mod.KEYS)
    policy = mount(policy, "collect.collector", collector_mod.KEYS)
    policy = mount(policy, "eval.evaluator", evaluator_mod.KEYS)
    return dict(PIPELINE_KEYS, env=env_manager.KEYS, policy=policy)


def pipeline_defaults(policy_cls: type) -> dict:
    """The plain config every default makes (what a checkpoint written before a key existed counts as)."""
    return defaults(pipeline_keys(policy_cls))


def compile_run_config(main: dict, create: dict, policy_cls: type) -> dict:
    """The compiled config of a run of ``policy_cls``: every key's type and rule, then the policy's checks."""
    cfg = compile_config(main, create, pipeline_keys(policy_cls))
    check_policy(policy_cls, cfg)
    return cfg


def check_policy(policy_cls: type, cfg: dict) -> None:
    """The policy's rules over several keys (its ``checks``), after every single-key rule passed."""
    for check in policy_cls.config_checks():
        found = check(cfg)
        if found:
            dotted, reason = found
            raise ConfigError(f"config key '{dotted}' must {reason}.")


def config_notes(cfg: dict) -> list[str]:
    """DI-engine keys accepted whose behaviour differs here, said once in the run's log."""
    notes = []
    if cfg["env"].get("replay_path"):
        notes.append(f"env.replay_path '{cfg['env']['replay_path']}': ding_lite records no eval videos during "
                     "training (DI-engine's evaluator does); `python -m entry.serial_eval --gif FILE` animates one.")
    return notes



def every_policy_keys() -> dict[str, dict]:
    """The declaration tree of a run of each registered policy type, by type name (for the reference)."""
    from ding_lite.policy.registry import POLICIES, get_policy_class

    return {name: pipeline_keys(get_policy_class(name)) for name in POLICIES}
