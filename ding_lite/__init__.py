"""ding_lite: a small, fast RL pipeline framework whose runs can be stopped, inspected and resumed exactly."""

__version__ = "0.1.0"
