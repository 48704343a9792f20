"""Off-policy training (DQN): ``python -m entry.serial_offpolicy -c cartpole_dqn_config.py``."""
from __future__ import annotations

from typing import Any

from entry.cli import main


def serial_pipeline(input_cfg: str | tuple[dict, dict], seed: int | None = None, **kwargs: Any):
    """DI-engine's entry function: a config path or a (main_config, create_config) pair; returns the finished run."""
    from entry.pipeline import run_entry

    return run_entry(input_cfg, "dqn", seed, **kwargs)


if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main("entry.serial_offpolicy", "Train an off-policy agent (DQN) from a config file.", "dqn"))
