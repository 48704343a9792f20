"""Env managers: every backend behind one protocol (``base.EnvManager``), built by ``make_manager``."""
from ding_lite.envs.managers.base import KEYS, MANAGER_TYPES, EnvManager, StepResult
from ding_lite.envs.managers.select import make_manager

__all__ = ["KEYS", "MANAGER_TYPES", "EnvManager", "StepResult", "make_manager"]
