"""Run an entry with a disk that fills after N checkpoint writes: ENOSPC raised at the write call.

For machines where the test cannot mount a small tmpfs: ``python tests/e2e/enospc_launcher.py N MODULE ARGS...``.
"""
from __future__ import annotations

import errno
import os
import runpy
import sys

import torch

_save = torch.save
_left = [int(sys.argv[1])]


def _filling_save(obj, f, *args, **kwargs):
    if _left[0] <= 0:
        f.write(b"PK\x03\x04 partial")  # what a write that ran out of room leaves
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    _left[0] -= 1
    return _save(obj, f, *args, **kwargs)


if __name__ == "__main__":
    torch.save = _filling_save
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
