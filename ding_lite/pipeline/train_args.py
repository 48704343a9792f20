"""Training arguments a caller gives a run (garage's ``resume(n_epochs=..., batch_size=...)``) and the
table a restored run shows, like garage's ``-- Train Args -- / -- Stats --``.

A new horizon or a new per-iteration batch is a past-future-consistent edit: the checkpoint's state
means the same under it (no saved tensor depends on how many transitions a collect gathers), so a
resume may take one; the change is logged once. Everything here is checked before a file is written.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from ding_lite.config import ConfigError


def set_horizons(cfg: dict, horizons: dict[str, int | None]) -> None:
    """Stop criteria given by the caller (CLI flags, ``run()`` arguments) replace the configured ones."""
    for key, value in horizons.items():
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{key} must be an int, not {type(value).__name__} ({value!r}).")
            if value < 1:
                raise ConfigError(f"{key} must be >= 1, got {value}.")
            cfg[key] = value


def batch_key(cfg: dict) -> str:
    """The ``policy.collect`` key this run's collector counts a collect by."""
    return "n_episode" if cfg["policy"]["collect"]["collector"]["type"] == "episode" else "n_sample"


def set_batch(cfg: dict, policy_name: str, batch: dict[str, int | None]) -> list[str]:
    """Apply a new ``n_sample`` / ``n_episode``; returns the log line of each change (none when unchanged)."""
    collect, used, notes = cfg["policy"]["collect"], batch_key(cfg), []
    for key, value in batch.items():
        if value is None:
            continue
        if key != used:
            raise ConfigError(f"{key}={value!r} was passed, but the {policy_name} policy's collector takes its "
                              f"per-iteration batch from policy.collect.{used}: pass {used} instead.")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key} must be an int >= 1, got {value!r}.")
        if collect[key] != value:
            notes.append(f"per-iteration batch policy.collect.{key} changed from {collect[key]:,} to {value:,}")
            collect[key] = value
    return notes


def _value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def restore_table(cfg: dict, checkpoint: dict, saved_batch: int | None) -> list[str]:
    """The training arguments a restored run goes on with and the stats of the checkpoint it starts from."""
    key = batch_key(cfg)
    batch = _value(cfg["policy"]["collect"][key])
    if saved_batch is not None and saved_batch != cfg["policy"]["collect"][key]:
        batch += f" (was {saved_batch:,})"
    best = checkpoint["evaluator"]["best_return"]
    rows = [
        ("-- Train Args --", "-- Value --"),
        ("max_env_step", _value(cfg["max_env_step"])),
        ("max_train_iter", _value(cfg["max_train_iter"])),
        (key, batch),
        ("seed", _value(cfg["seed"])),
        ("-- Stats --", "-- Value --"),
        ("last_train_iter", _value(checkpoint["train_iter"])),
        ("total_env_steps", _value(checkpoint["envstep"])),
        ("best_eval_return", "none yet" if best == float("-inf") else _value(float(best))),
    ]
    width = max(len(label) for label, _ in rows) + 4
    return [f"{label:<{width}}{value}" for label, value in rows]


def show_restore(cfg: dict, checkpoint: dict, log: Callable[[str], None], console: TextIO | None) -> None:
    """The restore table into the run's log and, when there is one, onto the console."""
    saved = checkpoint["config"]["policy"]["collect"].get(batch_key(cfg))
    for line in restore_table(cfg, checkpoint, saved):
        log(line)
        if console is not None:
            print(line, file=console)
