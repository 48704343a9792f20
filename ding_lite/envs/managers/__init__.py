"""Env managers: every backend behind one protocol (``base.EnvManager``), built by ``make_manager``."""
from ding_lite.envs.managers.base import MANAGER_TYPES, EnvManager, StepResult, default_config
from ding_lite.envs.managers.select import make_manager

__all__ = ["MANAGER_TYPES", "EnvManager", "StepResult", "default_config", "make_manager"]
