"""DI-engine's entry functions and garage's restore: the ways a Python user starts or continues a run."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ding_lite.config import ConfigError, load_config_file
from ding_lite.pipeline.layout import run_dir_of_checkpoint
from ding_lite.pipeline.serial import SerialPipeline


def load_pipeline(config: str, search_path: Sequence[str | Path] = (), **kwargs: Any) -> SerialPipeline:
    """Build a pipeline from a config file path, or a config's name found in one of ``search_path``."""
    main, create, path = load_config_file(config, search_path)
    return SerialPipeline(main, create, config_path=str(path), **kwargs)


def restore_pipeline(target: str, config: str | None = None, **kwargs: Any) -> SerialPipeline:
    """garage's ``Trainer.restore``: a run dir or checkpoint, rebuilt under the config it was made with.

    ``config`` defaults to the run's own ``total_config.py``; pass one (a path or a name on
    ``search_path``) to resume with edits, or to use ``target='latest'``. Call ``.run(max_env_step=...)``.
    """
    if config is None:
        path = Path(target).expanduser().resolve()
        run_dir = path if path.is_dir() else run_dir_of_checkpoint(path)
        config = str(run_dir / "total_config.py")
        if not Path(config).is_file():
            raise ConfigError(f"'{run_dir}' has no total_config.py: pass the config the run was trained with.")
    return load_pipeline(config, resume=target, **kwargs)


def _run_entry(input_cfg: str | tuple[dict, dict], default_policy: str, seed: int | None,
               **kwargs: Any) -> SerialPipeline:
    if isinstance(input_cfg, (str, Path)):
        return load_pipeline(str(input_cfg), seed=seed, default_policy=default_policy, **kwargs).run()
    main_config, create_config = input_cfg
    return SerialPipeline(main_config, create_config, seed=seed, default_policy=default_policy, **kwargs).run()


def serial_pipeline(input_cfg: str | tuple[dict, dict], seed: int | None = None, **kwargs: Any) -> SerialPipeline:
    """DI-engine's off-policy entry function (DQN): a config path or (main_config, create_config); the finished run."""
    return _run_entry(input_cfg, "dqn", seed, **kwargs)


def serial_pipeline_onpolicy(input_cfg: str | tuple[dict, dict], seed: int | None = None,
                             **kwargs: Any) -> SerialPipeline:
    """DI-engine's on-policy entry function (PPO, REINFORCE): same arguments as ``serial_pipeline``."""
    return _run_entry(input_cfg, "ppo", seed, **kwargs)
