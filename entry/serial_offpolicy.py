"""Off-policy training (the DQN family, DDPG/TD3/SAC, PPG, off-policy PPO): ``python -m entry.serial_offpolicy -c cartpole_dqn_config.py``."""
from __future__ import annotations

from typing import Any

from entry.cli import main


def __getattr__(name: str) -> Any:
    """DI-engine's entry function ``serial_pipeline`` is importable from here too, loaded only when asked for
    (so ``--help`` stays free of torch)."""
    if name == "serial_pipeline":
        from ding_lite.pipeline import serial_pipeline

        return serial_pipeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main("entry.serial_offpolicy", "Train an off-policy agent (the DQN family, DDPG, TD3, SAC, PPG, off-policy PPO) from a config file.", "dqn"))
