"""docs/preemption.md's SLURM batch script, run as SLURM would run it: a USR1 warning to the batch shell, the run
saves and exits 75, the script requeues the job (a fake scontrol records it), and the requeued attempt resumes
with the same line and finishes."""
from __future__ import annotations

import os
import re
import signal
import subprocess

from tests.e2e.conftest import REPO, cli_env
from tests.e2e.fault_helpers import tiny_config, wait_for

DOC = REPO / "docs" / "preemption.md"
SHIPPED = "-c cartpole_ppo_config.py --resume auto"


def batch_script() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## SLURM"):]
    return re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)


def test_the_slurm_script_requeues_an_interrupted_run_and_the_next_attempt_finishes(tmp_path):
    config = tiny_config(tmp_path, extra="main_config.max_train_iter = 200\n")
    script = batch_script()
    assert script.count(SHIPPED) == 1 and "#SBATCH --signal=B:USR1@90" in script
    (tmp_path / "job.sh").write_text(script.replace(SHIPPED, f"-c {config} --resume auto"))
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "scontrol").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "scontrol.log"}\n')
    (fake / "scontrol").chmod(0o755)
    env = {**cli_env(), "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "SLURM_JOB_ID": "4242"}
    run = tmp_path / "tiny"

    def attempt() -> subprocess.Popen:
        return subprocess.Popen(["bash", str(tmp_path / "job.sh")], cwd=tmp_path, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    first = attempt()
    wait_for(lambda: list((run / "ckpt").glob("iteration_*.pth.tar")), first, "the first checkpoint")
    first.send_signal(signal.SIGUSR1)  # SLURM's warning, to the batch shell only
    out, err = first.communicate(timeout=240)
    assert first.returncode == 75, err
    assert "Traceback" not in err
    assert (tmp_path / "scontrol.log").read_text() == "requeue 4242\n"

    second = attempt()  # the requeued job: the same script, the same line
    out, err = second.communicate(timeout=240)
    assert second.returncode == 0, err
    assert "last_train_iter" in out and "reached max_train_iter 200" in out
    assert (tmp_path / "scontrol.log").read_text() == "requeue 4242\n"  # not requeued again
    assert (run / "ckpt" / "iteration_200.pth.tar").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("tiny")) == ["tiny", "tiny_config.py"]
