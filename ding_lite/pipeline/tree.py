"""The config tree of a serial run: every component's defaults and the rules compile_config enforces."""
from __future__ import annotations

from ding_lite.config.compile import all_of, non_negative, of_type, one_of, positive, shape
from ding_lite.envs import managers as env_manager
from ding_lite.worker import collector as collector_mod
from ding_lite.worker import evaluator as evaluator_mod
from ding_lite.worker import learner as learner_mod

HORIZON_KEYS = ("max_env_step", "max_train_iter")


def policy_type(main: dict, create: dict, default: str) -> str:
    """The policy a config trains: create_config's type, else main_config's, else the entry's default."""
    for tree in (create, main):
        name = (tree.get("policy") or {}).get("type")
        if name:
            return name
    return default


def pipeline_defaults(policy_cls: type) -> dict:
    policy = policy_cls.default_config()
    policy["learn"]["learner"] = learner_mod.default_config()
    policy["learn"]["resume_training"] = False  # continue the checkpoint's run: counters, RNG, logs, dirs
    policy["collect"]["collector"] = {**collector_mod.default_config(), **policy["collect"].get("collector", {})}
    policy["eval"]["evaluator"] = evaluator_mod.default_config()
    return dict(
        exp_name="default_experiment",  # experiment dir name (relative to the working directory)
        seed=0,  # seeds python, numpy, torch, every env and every sampler
        max_env_step=None,  # stop after this many env steps (None: no limit)
        max_train_iter=None,  # stop after this many gradient updates (None: no limit)
        env=env_manager.default_config(),
        policy=policy,
        wandb=dict(  # Weights & Biases beside TensorBoard (pip install -e ".[wandb]"); ding_lite only
            project=None,  # W&B project to log to (None: no W&B); the entries' --wandb PROJECT sets it
            entity=None,  # W&B team or user (None: your default entity)
        ),
    )


def pipeline_rules(policy_cls: type) -> dict:
    return {
        "exp_name": lambda v: None if v.strip() else "be a non-empty name",
        **{f"wandb.{key}": lambda v: None if v is None or (isinstance(v, str) and v.strip()) else
           "be None or a non-empty name" for key in ("project", "entity")},
        "max_env_step": of_type(int),
        "max_train_iter": of_type(int),
        "env.collector_env_num": positive,
        "env.evaluator_env_num": positive,
        "env.n_evaluator_episode": positive,
        "env.stop_value": of_type(int, float),
        "env.max_episode_steps": of_type(int),
        "env.continuous": of_type(bool),
        "env.manager.type": one_of(*env_manager.MANAGER_TYPES),
        "env.env_wrapper": one_of("default", "mujoco_default", "atari_default"),
        "env.save_replay_gif": lambda v: None if not v else
        "be False: ding_lite records evaluation episodes as mp4 files with env.replay_path instead",
        "env.n_bits": lambda v: None if v is None or (isinstance(v, int) and v >= 1) else "be a positive int",
        "env.action_bins_per_branch": lambda v: None if v is None or (isinstance(v, int) and v >= 2) else
        "be None or an int >= 2",
        "env.frame_stack": all_of(of_type(int), non_negative),
        **{f"env.{key}.use_norm": lambda v: None if not v else
           "be False: ding_lite has no running normalisation inside the env (DI-engine's ObsNorm/RewardNorm wrappers)"
           for key in ("norm_obs", "norm_reward")},
        "env.collector_batch_size": all_of(of_type(int), positive),
        "env.evaluator_batch_size": all_of(of_type(int), positive),
        "env.manager.ray.num_actors": positive,
        "env.manager.ray.num_cpus": all_of(of_type(int, float), non_negative),
        "env.manager.ray.num_gpus": non_negative,
        "env.manager.ray.resources": of_type(dict),
        "env.manager.ray.on_actor_failure": one_of("fail", "restart"),
        "policy.model.obs_shape": shape,
        "policy.model.action_shape": positive,
        "policy.model.action_space": one_of("discrete", "continuous"),
        "policy.model.encoder_hidden_size_list": lambda v: None if v and all(
            isinstance(x, int) and x > 0 for x in v) else "be a non-empty list of positive ints",
        "policy.learn.learner.hook.save_ckpt_after_iter": non_negative,
        "policy.learn.learner.hook.save_ckpt_every_seconds": non_negative,
        "policy.learn.learner.hook.log_show_after_iter": positive,
        "policy.learn.learner.max_ckpt_keep": non_negative,
        "policy.eval.evaluator.eval_freq": positive,
        **{f"{k}": positive for k in HORIZON_KEYS},
        **policy_cls.config_rules(),
    }


PIPELINE_IGNORED = ("env.exp_name", "policy.learn.learner.load_path")
"""Keys some DI-engine files set that DI-engine 0.5.3 reads nowhere (besides each policy's ``ignored``)."""


def ignored_note(cfg: dict, policy_cls: type) -> str | None:
    """One console line listing the DI-engine keys this config sets that neither framework reads."""
    paths = [*PIPELINE_IGNORED, *(f"policy.{key}" for key in policy_cls.ignored_keys())]
    found = [path for path in paths if _value(cfg, path) is not None]
    if not found:
        return None
    return (f"config key{'s' if len(found) > 1 else ''} {', '.join(found)} accepted and ignored: DI-engine 0.5.3 "
            "reads them nowhere either.")


def _value(cfg: dict, dotted: str) -> object:
    node: object = cfg
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
