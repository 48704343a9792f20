"""Start-up stays light: importing ding_lite and asking an entry for --help never import torch."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import REPO, cli_env

CHECK = """\
import sys
{code}
print(','.join(m for m in ('torch', 'gymnasium', 'tensorboard') if m in sys.modules))
"""


def loaded_after(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", CHECK.format(code=code)], cwd=REPO, env=cli_env(),
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    last_line = (result.stdout.strip().splitlines() or [""])[-1]  # what CHECK prints comes after --help's text
    return [m for m in last_line.split(",") if m]


def test_import_ding_lite_imports_nothing_heavy():
    assert loaded_after("import ding_lite") == []


@pytest.mark.parametrize("module", ["entry.serial_onpolicy", "entry.serial_offpolicy"])
def test_help_does_not_import_torch(module):
    code = (f"sys.argv = ['{module}', '--help']\n"
            f"try:\n    import runpy; runpy.run_module('{module}', run_name='__main__')\n"
            f"except SystemExit:\n    pass")
    assert "torch" not in loaded_after(code)
