"""On-policy training (PPO, PG, A2C, TRPO): ``python -m entry.serial_onpolicy -c cartpole_ppo_config.py``."""
from __future__ import annotations

from typing import Any

from entry.cli import main


def __getattr__(name: str) -> Any:
    """DI-engine's entry function ``serial_pipeline_onpolicy`` is importable from here too, loaded only when asked for
    (so ``--help`` stays free of torch)."""
    if name == "serial_pipeline_onpolicy":
        from ding_lite.pipeline import serial_pipeline_onpolicy

        return serial_pipeline_onpolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main("entry.serial_onpolicy", "Train an on-policy agent (PPO, PG, A2C, TRPO) from a config file.", "ppo"))
