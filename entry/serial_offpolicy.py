"""Off-policy training (the DQN family, DDPG/TD3/SAC, PPG, off-policy PPO): ``python -m entry.serial_offpolicy -c cartpole_dqn_config.py``."""
from __future__ import annotations

from ding_lite.pipeline import serial_pipeline  # noqa: F401 - DI-engine's entry function, importable from here too
from entry.cli import main

if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main("entry.serial_offpolicy", "Train an off-policy agent (DQN) from a config file.", "dqn"))
