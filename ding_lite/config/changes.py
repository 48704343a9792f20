"""Past-future-consistent config edits on resume (SLM-Lab's rule, made explicit).

A resumed run may change when it stops and how often it logs, saves and evaluates; it may not
change anything that shapes the state saved in the checkpoint; everything else is allowed with a
warning that names the keys.
"""
from __future__ import annotations

from ding_lite.config import diff_paths
from ding_lite.config.compile import OPEN
from ding_lite.config.save import OBJECT_MARK

SILENT = (
    "exp_name", "seed", "max_env_step", "max_train_iter",
    "env.stop_value", "env.n_evaluator_episode",
    "policy.eval.evaluator.eval_freq",
    "policy.learn.resume_training", "policy.learn.learner.max_ckpt_keep",
    "policy.learn.learner.hook", "wandb",
)
SHAPING = (
    "env.env_id", "env.type", "env.collector_env_num", "env.evaluator_env_num",
    "policy.type", "policy.action_space", "policy.model",
)


def with_new_keys(saved: dict, defaults: dict) -> dict:
    """``saved`` plus the keys a newer ding_lite added since it was written, at their defaults.

    A key is only ever added with a default that keeps the old behaviour, so a checkpoint written
    before it existed did train under that default: its absence is not a config change.
    """
    out = dict(saved)
    for key, value in defaults.items():
        if key == OPEN:
            continue
        if key not in out:
            out[key] = value
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = with_new_keys(out[key], value)
    return out


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


def classify_changes(saved: dict, current: dict, policy_shaping: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(refused, warned) dotted keys that differ between the checkpoint's config and this run's.

    ``policy_shaping`` holds the keys a policy names as shaping its own saved state (relative to ``policy``).
    """
    shaping = SHAPING + tuple(f"policy.{key}" for key in policy_shaping)
    changed = [p.removesuffix(f".{OBJECT_MARK}") for p in diff_paths(saved, current)]  # nn.Tanh() -> nn.ReLU()
    refused = [p for p in changed if _under(p, shaping)]
    warned = [p for p in changed if not _under(p, shaping) and not _under(p, SILENT)]
    return refused, warned
