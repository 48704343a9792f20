"""docs/dizoo_zoo.md stays true: the training commands in its console blocks run (on a short horizon) from a fresh
directory, and its table names a shipped config for every variant it lists."""
from __future__ import annotations

import re
import shlex

from configs import SEARCH_PATH
from tests.e2e.conftest import REPO, run_cli

DOC = (REPO / "docs" / "dizoo_zoo.md").read_text()


def test_the_page_s_commands_train(tmp_path):
    blocks = re.findall(r"```console\n(.*?)```", DOC, re.DOTALL)
    commands = [shlex.split(line)[2:] for block in blocks for line in block.splitlines() if line.strip()]
    assert commands
    for module, *args in commands:
        result = run_cli(module, *args, "--max-env-step", "300", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Stopped: " in result.stdout


def test_every_variant_in_the_table_has_its_shipped_config():
    rows = re.findall(r"^\| `(\w+)` \|.*\| `(\w+_config\.py)` \|$", DOC, re.MULTILINE)
    assert len(rows) == 9
    for _, config in rows:
        assert (SEARCH_PATH[0] / config).is_file(), config
