"""Epsilon schedules for epsilon-greedy exploration, as functions of the collector's env step."""

import math
from collections.abc import Callable

EPS_TYPES = ("exp", "linear")


def get_epsilon_greedy_fn(start: float, end: float, decay: int, type_: str = "exp") -> Callable[[int], float]:
    """DI-engine's schedule (same name, arguments and formulas).

    ``exp``:    ``eps(t) = end + (start - end) * exp(-t / decay)``
    ``linear``: ``eps(t) = start + (end - start) * t / decay`` until ``t = decay``, then ``end``.

    ``t`` is the number of env steps collected so far (all collector envs together).
    """
    if type_ not in EPS_TYPES:
        raise ValueError(f"unknown epsilon schedule type '{type_}' (known: {', '.join(EPS_TYPES)})")
    if decay <= 0:
        raise ValueError(f"epsilon decay must be > 0, got {decay}")
    if type_ == "exp":
        def eps_fn(envstep: int) -> float:
            return end + (start - end) * math.exp(-envstep / decay)
    else:
        def eps_fn(envstep: int) -> float:
            if envstep >= decay:
                return end
            return start + (end - start) * envstep / decay
    return eps_fn
