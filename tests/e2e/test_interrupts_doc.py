"""docs/interrupts.md's commands, run as written: the files it shows, then its console blocks in one shell."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import REPO, cli_env
from tests.e2e.test_readme import shape

DOC = REPO / "docs" / "interrupts.md"
BLOCK = re.compile(r"<!-- (file: (?P<name>\S+)|run) -->\n```\w+\n(?P<body>.*?)```", re.DOTALL)


def blocks() -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """(files to write, [(command, lines it shows)]) from the marked blocks."""
    files, commands = {}, []
    for match in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        if match["name"]:
            files[match["name"]] = match["body"]
            continue
        for line in match["body"].splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                commands[-1][1].append(line)
    return files, commands


def test_the_documented_commands_print_what_the_page_shows(tmp_path: Path):
    files, commands = blocks()
    assert files and len(commands) >= 4
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    script = []
    for k, (command, _) in enumerate(commands):  # markers keep $? for the next command, as in a terminal
        script += [command, f'__rc=$?; echo "@@ {k}"; (exit $__rc)']
    script = [line.replace("python -m ", f"{sys.executable} -m ") for line in script]
    result = subprocess.run(["bash", "-c", "\n".join(script)], check=False, cwd=tmp_path, env=cli_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    outputs = re.split(r"^@@ \d+\n", result.stdout, flags=re.MULTILINE)
    assert len(outputs) == len(commands) + 1, result.stdout
    assert "Traceback" not in result.stdout
    for (command, shown), printed in zip(commands, outputs, strict=False):
        got = {shape(line) for line in printed.splitlines()}
        for line in shown:
            if line != "...":
                assert shape(line) in got, f"$ {command}: no line like {line!r} in\n{printed}"
