"""README.rst and the docs/*.rst pages stay true: the README's set-up commands are CI's, and every command a
page shows runs and prints what does not depend on the machine.

Each section's ``code-block:: console`` commands run in order in a fresh directory (``X.py`` files come from
the section's ``code-block:: python`` with ``:name: X.py``; ``NAME=value`` before a command sets its
environment; a command with ``|`` runs in a shell), on a short horizon: a training command without a small
budget of its own gets ``--max-train-iter 400``. A command run as written must exit as shown (0, or 75 where
the page shows ``^C``) and print, for every line the page shows after it, a line of the same shape (numbers,
durations and absolute paths aside). The pages' figures come from one machine, so only what is the same on
every machine is compared exactly: the stop reason (a horizon or a signal exactly; ``stop_value`` as the
outcome "solved"), and for a run that stops at a horizon its counters (env steps and train iterations of
every evaluation line, the totals and the ``Stopped:`` line). Sections run in parallel threads: most of the
time is Python and torch starting up.
"""
from __future__ import annotations

import glob
import re
import shlex
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, cli_env

README = REPO / "README.rst"
PAGES = [README, *sorted((REPO / "docs").glob("*.rst"))]
INSTALL = 'pip install torch==2.13.0 -e ".[test]" && python -m entry.serial_onpolicy -c cartpole_ppo_config.py'
TEST = "python -m pytest tests -q"
NOT_RUN = ("pip", "tensorboard")  # an install and a server
TRAINING = ("entry.serial_onpolicy", "entry.serial_offpolicy")
MAX_ITERS, MAX_ENV_STEPS = 400, 4096  # a command with a smaller budget of its own runs as written


@dataclass
class Command:
    line: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Section:
    page: str
    title: str
    steps: list[Command | tuple[str, str]] = field(default_factory=list)  # commands and (file name, text)


def blocks(lines: list[str]):
    """(section title, directive, options, body lines) of every code-block."""
    title = ""
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line.strip() and re.fullmatch(r"-{3,}", lines[i + 1]):
            title = line
        if not line.startswith(".. code-block:: "):
            continue
        j, options = i + 1, {}
        while j < len(lines) and (m := re.fullmatch(r"\s+:(\w+): (.*)", lines[j])):
            options[m[1]] = m[2]
            j += 1
        body = []
        for text in lines[j + 1:]:
            if text.strip() and not text.startswith("    "):
                break
            body.append(text[4:])
        while body and not body[-1].strip():
            body.pop()
        yield title, line.split("::")[1].strip(), options, body


def sections() -> list[Section]:
    found: dict[tuple[str, str], Section] = {}
    for page in PAGES:
        for title, kind, options, body in blocks(page.read_text(encoding="utf-8").splitlines()):
            add(found.setdefault((page.name, title), Section(page.name, title)), kind, options, body)
    return [s for s in found.values() if any(isinstance(c, Command) and _runs(c) for c in s.steps)]


def add(section: Section, kind: str, options: dict, body: list[str]) -> None:
    if kind == "python" and "name" in options:
        section.steps.append((options["name"], "\n".join(body) + "\n"))
    elif kind == "console":
        for text in body:
            if text.startswith("$ "):
                section.steps.append(Command(text[2:]))
            elif section.steps and isinstance(section.steps[-1], Command):
                section.steps[-1].shown.append(text)


def split_env(line: str) -> tuple[dict[str, str], list[str]]:
    """``NAME=value`` words before the command, and the command's words."""
    words = shlex.split(line)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words


def _runs(command: Command) -> bool:
    return split_env(command.line)[1][0] not in NOT_RUN


def _budget(argv: list[str], flag: str) -> int | None:
    return int(argv[argv.index(flag) + 1]) if flag in argv else None


def shorten(argv: list[str]) -> bool:
    """Append the short horizon to a training command unless its own budget is already small."""
    if len(argv) < 3 or argv[1] != "-m" or argv[2] not in TRAINING:
        return False
    env_steps, iters = _budget(argv, "--max-env-step"), _budget(argv, "--max-train-iter")
    if (env_steps or MAX_ENV_STEPS + 1) <= MAX_ENV_STEPS or (iters or MAX_ITERS + 1) <= MAX_ITERS:
        return False
    if "--resume" in argv and env_steps is None and iters is None:
        return False  # keeps the budget its checkpoint was made with
    argv += ["--max-train-iter", str(MAX_ITERS)]
    return True


def shape(line: str) -> str:
    """A line with what differs between machines and directories (paths, numbers, times) masked."""
    line = re.sub(r"(?<![\w.])/[^\s)]+", "PATH", line)
    line = re.sub(r"\b(\d+h)?(\d+m)?\d+s\b", "DURATION", line)
    return re.sub(r"\d[\d,]*(\.\d+)?", "#", line)


def run(command: Command, cwd: Path, shortened_files: set[str]) -> tuple[subprocess.CompletedProcess, bool]:
    env, words = split_env(command.line)
    argv = []
    for arg in words:  # what the shell would do with a glob
        argv += sorted(glob.glob(arg, root_dir=cwd)) if "*" in arg else [arg]
    if argv[0] == "python":
        argv[0] = sys.executable
    modified = shorten(argv) or (len(argv) == 2 and argv[1] in shortened_files)
    if "|" in argv:  # a pipeline: the shell runs it
        argv = ["bash", "-c", shlex.join(argv).replace(" '|' ", " | ")]
    interrupt_after = sum(s.startswith("envstep") for s in command.shown[:command.shown.index("^C")]) \
        if "^C" in command.shown else None
    proc = subprocess.Popen(argv, cwd=cwd, env={**cli_env(), **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out = []
    if interrupt_after is not None:  # press Ctrl-C where the page shows ^C
        for text in proc.stdout:
            out.append(text)
            interrupt_after -= text.startswith("envstep")
            if interrupt_after == 0:
                proc.send_signal(signal.SIGINT)
                break
    try:
        rest, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:  # this section fails with what it printed; the others still run
        proc.kill()
        rest, err = proc.communicate()
        err += "\n(test_readme: killed after 240 s)"
    return subprocess.CompletedProcess(argv, proc.returncode, "".join(out) + rest, err), modified


PROGRESS = re.compile(r"^envstep ([\d,]+)(?:/[\d,]+)? \| train_iter ([\d,]+)")
STOPPED = re.compile(r"^Stopped: (.*) at envstep ([\d,]+), train_iter ([\d,]+) \(")
TOTALS = re.compile(r"^\s+env steps\s+([\d,]+) in total, train_iter ([\d,]+);")
SOLVED = re.compile(r"eval return \S+ reached stop_value (\S+)")


def stop_of(lines: list[str]) -> tuple[str, tuple[str, str]] | None:
    """(the stop reason, with a solve as 'solved at stop_value V'; the counters where it stopped)."""
    for line in lines:
        if match := STOPPED.match(line):
            solved = SOLVED.fullmatch(match[1])
            return (f"solved at stop_value {solved[1]}" if solved else match[1]), (match[2], match[3])
    return None


def machine_free(line: str) -> str | None:
    """What a shown line says that every machine prints the same, for a run that stops at a horizon."""
    for pattern in (PROGRESS, TOTALS):
        if match := pattern.match(line):
            return f"{pattern.pattern[:12]}{match.groups()}"
    return None


def check_output(command: Command, stdout: str) -> None:
    lines = stdout.splitlines()
    printed = {shape(line) for line in lines}
    for line in command.shown:
        if line not in ("...", "^C"):
            assert shape(line) in printed, f"$ {command.line}: no line like {line!r} in\n{stdout}"
    shown_stop = stop_of(command.shown)
    if shown_stop is None:
        return
    reason, counters = shown_stop
    got = stop_of(lines)
    assert got is not None and got[0] == reason, f"$ {command.line}: the page says it stopped because {reason!r}"
    if reason.startswith("reached max_"):  # a horizon: where it stopped and every count on the way is fixed
        assert got[1] == counters, f"$ {command.line}: stopped at {got[1]}, the page says {counters}"
        facts = {machine_free(line) for line in lines}
        for line in command.shown:
            assert machine_free(line) in facts, f"$ {command.line}: no line with the counters of {line!r}"


def run_section(section: Section, cwd: Path) -> list[tuple[Command, subprocess.CompletedProcess, bool]]:
    results, shortened_files = [], set()
    for step in section.steps:
        if isinstance(step, tuple):
            name, text = step
            short = re.sub(r"max_env_step=(\d+)", lambda m: f"max_env_step={min(int(m[1]), 2560)}", text)
            if short != text:
                shortened_files.add(name)
            (cwd / name).write_text(short)
        elif _runs(step):
            result, modified = run(step, cwd, shortened_files)
            results.append((step, result, modified))
            if result.returncode != expected_code(step):
                break
    return results


def expected_code(command: Command) -> int:
    """0 for a run that finishes, 75 (interrupted, resumable) for one stopped by the README's Ctrl-C."""
    return 75 if "^C" in command.shown else 0


SECTIONS = sections()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[tuple[str, str], list]:
    dirs = [tmp_path_factory.mktemp(f"readme{i}") for i in range(len(SECTIONS))]
    with ThreadPoolExecutor(max_workers=len(SECTIONS)) as pool:
        done = pool.map(run_section, SECTIONS, dirs)
        return {(s.page, s.title): r for s, r in zip(SECTIONS, done, strict=True)}


def test_set_up_commands_are_the_ones_ci_runs():
    text = README.read_text(encoding="utf-8")
    literal = re.findall(r"::\n\n    (.+)\n", text)
    assert literal[:2] == [INSTALL, TEST]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert INSTALL.split(" && ")[0] in ci and TEST in ci


def test_every_page_and_walkthrough_is_run():
    titles = {page: [s.title for s in SECTIONS if s.page == page] for page in {s.page for s in SECTIONS}}
    assert titles["README.rst"] == ["The DI-engine workflow in one example"]
    walkthroughs = titles["walkthroughs.rst"]
    assert sum(t.startswith("Walkthrough") for t in walkthroughs) == 3 and "Curves without TensorBoard" in walkthroughs
    assert {"Evaluation videos", "Weights & Biases"} <= set(titles["environments.rst"])
    assert {"algorithms.rst", "clusters.rst"} <= titles.keys()


def test_the_readmes_links_into_docs_name_pages_that_exist_or_are_being_written():
    links = re.findall(r"<(docs/[^>#]+)>`_", README.read_text(encoding="utf-8"))
    written_elsewhere = {"docs/interrupts.md", "docs/preemption.md", "docs/replay_buffer.md",
                         "docs/config_reference.md", "docs/results.md"}  # by the engineers of those features
    assert {f"docs/{p.name}" for p in PAGES[1:]} <= set(links)
    assert all((REPO / link).exists() or link in written_elsewhere for link in links), links


@pytest.mark.parametrize("section", SECTIONS, ids=[f"{s.page}:{s.title.split(',')[0]}" for s in SECTIONS])
def test_commands_run_and_print_what_the_page_shows(section, results):
    ran = results[(section.page, section.title)]
    for command, result, modified in ran:
        assert result.returncode == expected_code(command), f"$ {command.line}\n{result.stdout}\n{result.stderr}"
        if not modified:
            check_output(command, result.stdout)
    assert len(ran) == sum(isinstance(c, Command) and _runs(c) for c in section.steps)


HORIZON_RUN = Command("python -m entry.serial_onpolicy -c x.py --max-train-iter 200", [
    "envstep 256 | train_iter 40/200 | eval return 10.0 (best 10.0) | 985 env steps/s | ETA 1s",
    "  env steps         1,280 in total, train_iter 200; this session 1,280 in 1.1 s (1,120 env steps/s)",
    "Stopped: reached max_train_iter 200 at envstep 1,280, train_iter 200 (1.1 s). Experiment: /a. TensorBoard: t"])
SOLVED_RUN = Command("python -m entry.serial_onpolicy -c x.py", [
    ("Stopped: eval return 200.0 reached stop_value 195 at envstep 4,352, train_iter 680 (2.6 s). Experiment: /a. "
    "TensorBoard: t")])


@pytest.mark.parametrize(("command", "printed", "passes"), [
    (HORIZON_RUN, HORIZON_RUN.shown, True),
    (HORIZON_RUN, [line.replace("10.0", "12.5").replace("1.1 s", "3.0 s") for line in HORIZON_RUN.shown], True),
    (HORIZON_RUN, [line.replace("envstep 256", "envstep 512") for line in HORIZON_RUN.shown], False),
    (HORIZON_RUN, [line.replace("1,280 in total", "1,536 in total") for line in HORIZON_RUN.shown], False),
    (HORIZON_RUN, [HORIZON_RUN.shown[0], HORIZON_RUN.shown[1],
                   ("Stopped: eval return 199.0 reached stop_value 195 at envstep 1,280, train_iter 200 (1.1 s). "
                   "Experiment: /a. TensorBoard: t")], False),
    (SOLVED_RUN, [SOLVED_RUN.shown[0].replace("4,352", "1,024").replace("680", "160")], True),
    (SOLVED_RUN, [("Stopped: reached max_train_iter 680 at envstep 4,352, train_iter 680 (2.6 s). Experiment: /a. "
                  "TensorBoard: t")], False),
])
def test_the_output_check_compares_what_no_machine_changes(command, printed, passes):
    try:
        check_output(command, "\n".join(printed))
    except AssertionError:
        assert not passes
    else:
        assert passes
