"""Leave the process without tearing the interpreter down.

Once torch is imported, Python's normal shutdown (finalising a few thousand modules) takes ~0.4-0.6 s
here, a tenth of a CartPole run launch->exit. The entries call this last: it flushes the standard
streams, runs the atexit callbacks (logging, multiprocessing children) and ends the process with
``os._exit``; under a profiler, coverage or a debugger it exits the ordinary way, so that they can write
their results. Everything a run writes is already closed by then (``SerialPipeline.run`` closes its
logs, TensorBoard writer and envs in a ``finally``).
"""
from __future__ import annotations

import atexit
import os
import sys


def exit_now(code: int | None) -> None:
    from ding_lite.utils.stop_signals import ignore_stop_signals

    ignore_stop_signals()  # the run is over and saved: a Ctrl-C now must not print a traceback from the exit
    code = 0 if code is None else int(code)
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # not CPython, or a profiler / coverage / debugger wants to write its results at exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed pipe or stream: nothing more to say
            pass
    run_exitfuncs()
    os._exit(code)
