"""The config tree of a serial run: the pipeline's own keys, with every component's declarations mounted."""
from __future__ import annotations

from ding_lite.config.compile import compile_config, get_path, lift_create_config
from ding_lite.config.errors import ConfigError
from ding_lite.config.keys import IGNORED, LITE, SILENT, Key, defaults, iter_keys, mount
from ding_lite.config.reference import relied_on_differing_defaults
from ding_lite.config.rules import all_of, of_type, positive
from ding_lite.envs import managers as env_manager
from ding_lite.worker import collector as collector_mod
from ding_lite.worker import evaluator as evaluator_mod
from ding_lite.worker import learner as learner_mod

HORIZON_KEYS = ("max_env_step", "max_train_iter")
_HORIZON_RULE = all_of(of_type(int), positive)
_NAME_RULE = lambda v: None if v is None or (isinstance(v, str) and v.strip()) else "be None or a non-empty name"

PIPELINE_KEYS = dict(
    exp_name=Key("default_experiment", "experiment dir name (relative to the working directory)",
                 lambda v: None if v.strip() else "be a non-empty name", resume=SILENT),
    seed=Key(0, "seeds python, numpy, torch, every env and every sampler (a resume keeps the checkpoint's)",
             resume=SILENT),
    max_env_step=Key(None, "stop after this many env steps (None: no limit)", _HORIZON_RULE, resume=SILENT),
    max_train_iter=Key(None, "stop after this many gradient updates (None: no limit)", _HORIZON_RULE, resume=SILENT),
)
"""The top-level keys (DI-engine passes seed and the horizons to its entry functions; the files may set them)."""

WANDB_KEYS = dict(  # Weights & Biases beside TensorBoard (pip install -e ".[wandb]")
    project=Key(None, "W&B project to log to (None: no W&B); the entries' --wandb PROJECT sets it", _NAME_RULE,
                resume=SILENT, di=LITE),
    entity=Key(None, "W&B team or user (None: your default entity)", _NAME_RULE, resume=SILENT, di=LITE),
)

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
    return dict(PIPELINE_KEYS, env=env_manager.KEYS, policy=policy, wandb=WANDB_KEYS)


def policy_type(main: dict, create: dict, default: str) -> str:
    """The policy a config trains: create_config's type (the one DI-engine builds), else main_config's, else the
    entry's default; the two files' types must agree (DI-engine would build one and record the other)."""
    names = [(tree.get("policy") or {}).get("type") for tree in (create, main)]
    if names[0] and names[1] and names[0] != names[1]:
        raise ConfigError(f"config key 'policy.type' is '{names[1]}' in main_config but '{names[0]}' in "
                          f"create_config: DI-engine builds create_config's policy but records main_config's type; "
                          "make the two agree.")
    return names[0] or names[1] or default


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


def ignored_note(cfg: dict, policy_cls: type) -> str | None:
    """One console line listing the keys declared ``di=IGNORED`` that this config sets (neither framework reads
    them)."""
    found = [path for path, decl in iter_keys(pipeline_keys(policy_cls))
             if decl.di == IGNORED and get_path(cfg, path) != decl.default]
    if not found:
        return None
    return (f"config key{'s' if len(found) > 1 else ''} {', '.join(found)} accepted and ignored: DI-engine 0.5.3 "
            "reads them nowhere either.")


def console_notes(main: dict, create: dict, cfg: dict, policy_cls: type) -> list[str]:
    """What the console says once about the config's keys: those set that neither framework reads, each declared
    ``note`` of a key set to anything but its default, and each DI-engine default the config relies on where
    ding_lite's differs."""
    keys = pipeline_keys(policy_cls)
    notes = [note for note in [ignored_note(cfg, policy_cls)] if note]
    notes += [f"{path}={get_path(cfg, path)!r}: {decl.note}." for path, decl in iter_keys(keys)
              if decl.note and get_path(cfg, path) != decl.default]
    return notes + relied_on_differing_defaults(lift_create_config(main, create), keys)


def every_policy_keys() -> dict[str, dict]:
    """The declaration tree of a run of each registered policy type, by type name (for the reference)."""
    from ding_lite.policy.registry import POLICIES, get_policy_class

    return {name: pipeline_keys(get_policy_class(name)) for name in POLICIES if get_policy_class(name).name == name}
