"""Curves from a run's TensorBoard event files, drawn into a PNG (what ``entry.plot`` and ``--plot`` show).

TensorBoard's own reader (``EventAccumulator``) reads the files, so the picture shows exactly what
TensorBoard would, a resumed run as one line included. matplotlib and TensorBoard are imported only
when a picture is drawn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_TAG = "evaluator_step/reward_mean"
AXES = {"envstep": ("_step", "env steps"), "iter": ("_iter", "train iterations")}
FIGSIZE, DPI = (8.0, 5.0), 100  # 800 x 500 px
LABELS = {
    "evaluator/reward_mean": "eval return (mean over eval episodes)",
    "collector/reward_mean": "collect return (mean over finished episodes)",
}
EVENTS_SUBDIR = Path("log", "serial")  # entry.run_dirs' LOG_DIR/TB_SUBDIR; not imported: that pulls in torch
RUN_STAMP = re.compile(r"_\d{6}_\d{6}(?:_\d+)?$")  # entry.run_dirs.STAMP: a run dir's creation stamp
SEED_SUFFIX = re.compile(r"_seed\d+$")
RESUME_CONFIG = re.compile(r"total_config_resume_iter(\d+)\.py")


class PlotError(Exception):
    """Bad input to the plot (no events, unknown tag): reported as one sentence."""


@dataclass
class Curve:
    run_dir: Path
    steps: np.ndarray
    values: np.ndarray
    config: dict | None


def resolve_tag(tag: str, x: str | None) -> tuple[str, str]:
    """(full tag, x axis): ``--x`` rewrites the tag's ``_step``/``_iter`` axis, else the tag decides.

    So ``--x iter`` alone plots ``evaluator_iter/reward_mean`` and ``--tag learner/total_loss`` gets the
    default axis, without the user having to spell DI-engine's two tag families.
    """
    prefix, sep, key = tag.partition("/")
    if not sep or not key:
        raise PlotError(f"--tag '{tag}' is not of the form 'evaluator_step/reward_mean'.")
    for axis, (suffix, _) in AXES.items():
        if prefix.endswith(suffix):
            prefix = prefix[: -len(suffix)]
            x = x or axis
    x = x or "envstep"
    return f"{prefix}{AXES[x][0]}/{key}", x


def events_dir(run_dir: Path) -> Path:
    if not run_dir.is_dir():
        raise PlotError(f"'{run_dir}' is not a directory: pass an experiment dir written by a ding_lite run.")
    events = run_dir / EVENTS_SUBDIR
    if not events.is_dir() or not any("tfevents" in p.name for p in events.iterdir()):
        raise PlotError(f"'{run_dir}' has no TensorBoard event files in {events}: "
                        "pass an experiment dir written by a ding_lite run.")
    return events


def run_config(run_dir: Path) -> dict | None:
    """The run's newest compiled config (a resume may have raised stop_value), None if unreadable."""
    from ding_lite.config import ConfigError, load_config_file

    resumed = [(int(m[1]), p) for p in run_dir.glob("total_config_resume_iter*.py")
               if (m := RESUME_CONFIG.fullmatch(p.name))]
    path = max(resumed)[1] if resumed else run_dir / "total_config.py"
    if not path.is_file():
        return None
    try:
        return load_config_file(str(path))[0]
    except ConfigError:
        return None


def read_curve(run_dir: Path, tag: str) -> Curve:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(events_dir(run_dir)), size_guidance={"scalars": 0})
    acc.Reload()
    tags = acc.Tags()["scalars"]
    if tag not in tags:
        known = ", ".join(sorted(tags)) or "none"
        raise PlotError(f"'{run_dir}' has no scalar '{tag}' (it has: {known}).")
    events = acc.Scalars(tag)
    steps = np.array([e.step for e in events], dtype=np.int64)
    values = np.array([e.value for e in events], dtype=np.float64)
    return Curve(run_dir, steps, values, run_config(run_dir))


def group_name(run_dir: Path) -> str:
    """Seeds of one config share a name once the run's time stamp and a ``_seedN`` suffix are gone:
    ``cartpole_ppo``, ``cartpole_ppo_251122_023748`` and ``cartpole_ppo_seed1`` are one group."""
    return SEED_SUFFIX.sub("", RUN_STAMP.sub("", run_dir.name))


def mean_std(curves: list[Curve]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(steps, mean, std, number of runs) at every step any run evaluated at.

    Each run is interpolated linearly between its own points and never extended past them: a run
    that stopped early (stop_value reached) leaves the average rather than being assumed to stay
    where it was. The count lets the plot show where fewer runs remain.
    """
    grid = np.unique(np.concatenate([c.steps for c in curves]))
    rows = np.full((len(curves), len(grid)), np.nan)
    for row, c in zip(rows, curves, strict=True):
        inside = (grid >= c.steps[0]) & (grid <= c.steps[-1])
        row[inside] = np.interp(grid[inside], c.steps, c.values)
    return grid, np.nanmean(rows, axis=0), np.nanstd(rows, axis=0), (~np.isnan(rows)).sum(axis=0)


def _common(curves: list[Curve], *path: str) -> list:
    """Distinct values of one config key over the runs (missing configs and keys skipped)."""
    found = []
    for c in curves:
        node = c.config
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None and node not in found:
            found.append(node)
    return found


def plot_runs(run_dirs: list[Path], out: Path, tag: str = DEFAULT_TAG, x: str | None = None,
              group: bool = False) -> Path:
    """Draw `tag` of every run (or the mean ± std of each group of seeds) into `out`; returns `out`."""
    full_tag, x = resolve_tag(tag, x)
    curves = [read_curve(Path(d), full_tag) for d in run_dirs]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    fig = Figure(figsize=FIGSIZE, dpi=DPI)  # no pyplot: no global figure state, no GUI backend lookup
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if group:
        groups: dict[str, list[Curve]] = {}
        for c in curves:
            groups.setdefault(group_name(c.run_dir), []).append(c)
        for name, members in groups.items():
            grid, mean, std, count = mean_std(members)
            every = np.where(count == len(members), mean, np.nan)  # NaN breaks the line: solid where all runs are
            line, = ax.plot(grid, every, lw=2, label=f"{name}: mean ± std of {len(members)} runs")
            colour = line.get_color()
            if (count < len(members)).any():
                ax.plot(grid, mean, color=colour, lw=1.2, ls=":", label=f"{name}: fewer runs left")
            ax.fill_between(grid, mean - std, mean + std, color=colour, alpha=0.2, lw=0)
            for c in members:
                ax.plot(c.steps, c.values, color=colour, lw=0.7, alpha=0.35)
    else:
        for c in curves:
            ax.plot(c.steps, c.values, lw=1.8, marker="o", ms=3, label=c.run_dir.name)
    prefix, key = full_tag.split("/", 1)
    metric = f"{prefix.removesuffix(AXES[x][0])}/{key}"
    if "reward" in key:
        for stop in _common(curves, "env", "stop_value"):
            ax.axhline(stop, color="0.3", ls="--", lw=1, label=f"stop_value {stop:g}")
    algos = "/".join(str(a).upper() for a in _common(curves, "policy", "type"))
    envs = ", ".join(_common(curves, "env", "env_id"))
    ax.set_title(f"{algos} on {envs}: {metric}" if algos and envs else metric)
    ax.set_xlabel(AXES[x][1])
    ax.set_ylabel(LABELS.get(metric, metric.replace("/", " ")))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=DPI)
    return out
