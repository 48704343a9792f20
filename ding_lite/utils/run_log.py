"""The run's text log: appended to across resumes, one timestamped line per event."""
from __future__ import annotations

import time
from pathlib import Path


class RunLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the run

    def write(self, message: str) -> None:
        self._fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} | {message}\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()
