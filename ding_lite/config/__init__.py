"""Config files in DI-engine's format: load, compile against component defaults, validate, save."""
from ding_lite.config.compile import compile_config, diff_paths
from ding_lite.config.errors import ConfigError
from ding_lite.config.loader import load_config_file
from ding_lite.config.save import save_config

__all__ = ["ConfigError", "compile_config", "diff_paths", "load_config_file", "save_config"]
