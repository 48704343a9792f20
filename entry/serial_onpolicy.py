"""On-policy training (PPO, PG, A2C, TRPO): ``python -m entry.serial_onpolicy -c cartpole_ppo_config.py``."""
from __future__ import annotations

from ding_lite.pipeline import serial_pipeline_onpolicy  # noqa: F401 - DI-engine's entry function, importable from here too
from entry.cli import main

if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main("entry.serial_onpolicy", "Train an on-policy agent (PPO, REINFORCE) from a config file.", "ppo"))
