"""One local Ray for the whole test session (``ray.init`` costs ~10 s and ~650 MiB): started by the first
test that needs it, joined by the CLI runs (``--address``, else RAY_ADDRESS), left to Ray's own exit handler."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from tests.e2e.conftest import cli_env


def ray_address() -> str:
    """The cluster has the machine's real size (Ray counts its CPUs), so the defaults are tested where they run."""
    import ray

    if not ray.is_initialized():
        # Ray's processes inherit this environment: actors and Tune trials import the tree under test, not an
        # installed ding_lite (the runs of one test would otherwise mix two versions where both exist)
        os.environ["PYTHONPATH"] = cli_env()["PYTHONPATH"]
        ray.init(include_dashboard=False, logging_level="WARNING")
    address = ray.get_runtime_context().gcs_address
    os.environ["RAY_ADDRESS"] = address  # later CLI runs (README's ray_runs) join it instead of starting their own
    return address


def session_dir() -> Path:
    """Where the session's Ray keeps its files (Tune's trial dirs are staged under artifacts/ there)."""
    from ray._private.worker import global_worker

    return Path(global_worker.node.get_session_dir_path())


def wait_for(predicate, timeout: float = 900, what: str = "condition") -> object:
    """Poll ``predicate`` until it holds; ``timeout`` is a hang guard sized for a loaded 2-core machine, not a measure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def logged_pid(log: Path, marker: str) -> int | None:
    """The first pid after ``marker`` in the newest train.log line holding it ('ray_runs: started in pid 123 on
    host', 'env manager ray (2 actors of 4 envs, pids 123/456, ...')."""
    if not log.exists():
        return None
    lines = [line for line in log.read_text().splitlines() if marker in line]
    return int(re.split(r"[/ ,]", lines[-1].split(marker)[1].split(" pid")[1].lstrip("s "))[0]) if lines else None
