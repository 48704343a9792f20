"""Many runs of one config (seeds x grid points) as fault-tolerant Ray tasks.

``plan`` checks every run's config (the usual compile: unknown keys with "did you mean", types,
rules) and its run dir before Ray is even contacted; ``connect`` joins a cluster or starts a local
one, failing within seconds on an address nobody answers; ``launch`` submits one task per run, with
retries: when a worker (or its node, or one of its env actors) dies, Ray runs the task again and it
resumes from the run's newest complete checkpoint (``task.prepare``), so the run still ends exactly
as it would have uninterrupted. A run that fails on its input is not retried.
"""
from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ding_lite.config import ConfigError, load_config_file
from ding_lite.distributed import require
from ding_lite.distributed.task import RunInterrupted, RunSpec, execute
from ding_lite.pipeline.layout import check_writable, runs_of
from ding_lite.pipeline.serial import policy_type, set_horizons
from ding_lite.pipeline.tree import compile_run_config
from ding_lite.policy.registry import get_policy_class

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a TCP answer from ``--address`` before saying it cannot be reached."""


def suffix(point: dict[str, Any], seed: int) -> str:
    """``_learning_rate0.001_seed3``: grid values by their last key, then the seed (``entry.plot --group``
    groups the seeds of one grid point)."""
    return "".join(f"_{key.rsplit('.', 1)[-1]}{value}" for key, value in point.items()) + f"_seed{seed}"


def check(spec: RunSpec) -> None:
    """The config checks of the run's own constructor, without building envs or a policy (nor Ray actors)."""
    main = spec.main_config()
    policy_cls = get_policy_class(policy_type(main, spec.create, spec.default_policy))
    cfg = compile_run_config(main, spec.create, policy_cls)
    set_horizons(cfg, spec.horizons)


def plan(config: str, seeds: Sequence[int], grid: dict[str, Sequence[Any]] | None = None,
         search_path: Sequence[str | Path] = (), base_dir: str | Path = ".", default_policy: str = "ppo",
         max_env_step: int | None = None, max_train_iter: int | None = None, resume: bool = False) -> list[RunSpec]:
    """One ``RunSpec`` per grid point and seed, each checked; their run dir names are all free.

    ``resume``: each run continues the newest dir of its name instead (a batch whose driver stopped):
    from its newest checkpoint, or from the start where it has none.
    """
    if not seeds:
        raise ConfigError("no seeds given: name at least one (e.g. --seeds 0-7).")
    main, create, path = load_config_file(config, search_path)
    base = Path(base_dir).resolve()
    grid = grid or {}
    exp_name = main.get("exp_name", "default_experiment")
    horizons = {"max_env_step": max_env_step, "max_train_iter": max_train_iter}
    specs = [RunSpec(f"{exp_name}{suffix(dict(zip(grid, values, strict=True)), seed)}", seed,
                     dict(zip(grid, values, strict=True)), main, create, str(base), str(path), default_policy,
                     horizons)
             for values in itertools.product(*grid.values()) for seed in seeds]
    if len({s.name for s in specs}) < len(specs):
        raise ConfigError("two runs would share an experiment dir: give each seed and grid value once.")
    for spec in specs:
        check(spec)
        check_writable(spec.run_dir)
    if resume:
        for spec in specs:
            found = runs_of(spec.name, base)
            spec.name = str(found[-1].relative_to(base)) if found else spec.name
    elif any(s.run_dir.exists() for s in specs):  # as a single run does: a taken name gets a creation stamp
        stamp = time.strftime("_%y%m%d_%H%M%S")
        for spec in specs:
            spec.name += stamp
    return specs


def _probe(address: str) -> None:
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--address '{address}' is not 'auto' or HOST:PORT (the head node's GCS port, 6379 "
                          "unless changed).")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise ConfigError(f"--address '{address}' cannot be reached ({exc.strerror or exc}): is "
                          "`ray start --head` running there?") from None


def connect(address: str | None = None, num_cpus: int | None = None) -> Any:
    """Join the cluster at ``address`` ('auto': the one this machine belongs to), else start a local Ray."""
    ray = require("ray", "entry.ray_runs")
    if ray.is_initialized():
        return ray
    if address not in (None, "auto"):
        _probe(address)
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus, logging_level="WARNING",
                 include_dashboard=False if address is None else None, log_to_driver=False)
    except ConnectionError as exc:
        raise ConfigError(f"--address '{address}': no Ray cluster answered ({exc}).") from None
    return ray


def launch(specs: Sequence[RunSpec], max_retries: int = 3, num_cpus: float = 1.0) -> Iterator[tuple[RunSpec, Any]]:
    """Submit every run; yield (spec, result dict or the exception that ended it) in the order they finish."""
    import ray

    from ding_lite.envs.managers.ray import EnvActorDied

    task = ray.remote(execute)
    options = {"max_retries": max_retries, "retry_exceptions": [EnvActorDied, RunInterrupted], "num_cpus": num_cpus}
    pending = {task.options(name=spec.name, **options).remote(spec): spec for spec in specs}
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        spec = pending.pop(done[0])
        try:
            yield spec, ray.get(done[0])
        except ray.exceptions.RayTaskError as exc:
            yield spec, exc.cause if isinstance(exc.cause, Exception) else exc
        except ray.exceptions.RayError as exc:
            yield spec, exc


def run_many(specs: Sequence[RunSpec], on_finish: Callable[[RunSpec, Any], None] | None = None,
             address: str | None = None, **kwargs: Any) -> list[Any]:
    """``connect`` then ``launch``; calls ``on_finish`` as each run ends and returns results in ``specs`` order."""
    connect(address)
    results = {}
    for spec, result in launch(specs, **kwargs):
        results[spec.name] = result
        if on_finish is not None:
            on_finish(spec, result)
    return [results[spec.name] for spec in specs]
