"""The shipped configs, one per algorithm x env; ``SEARCH_PATH`` is what the CLI hands the library."""
from pathlib import Path

SEARCH_PATH = (Path(__file__).resolve().parent,)
