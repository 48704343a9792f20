"""A Tune trial of a ding_lite run whose worker is SIGKILLed restarts (max_failures=1) from the checkpoint it
handed Tune and ends bit for bit as an uninterrupted run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import torch

from configs import SEARCH_PATH
from ding_lite.config import load_config_file
from ding_lite.distributed.task import RunSpec, build
from tests.e2e.conftest import cli_env
from tests.e2e.ray_helpers import logged_pid, ray_address, session_dir, wait_for
from tests.e2e.test_ray_runs import assert_same

POINT = {"env.stop_value": 1000, "policy.learn.learner.hook.save_ckpt_after_iter": 40}
HORIZON, FINAL = 5120, "iteration_800.pth.tar"
TUNE = """\
import json, sys
import ray
from ray import tune
from configs import SEARCH_PATH
from ding_lite.distributed.tune import trainable

ray.init(address=sys.argv[1], logging_level="WARNING")
tuner = tune.Tuner(trainable("cartpole_ppo_config.py", SEARCH_PATH, max_env_step={horizon}),
                   param_space={{"seed": 1, **{point!r}}},
                   run_config=tune.RunConfig(storage_path=sys.argv[2], name="trials", verbose=0,
                                             failure_config=tune.FailureConfig(max_failures=1)))
result = tuner.fit()[0]
print(json.dumps({{"error": str(result.error) if result.error else None, "path": result.path,
                   "metrics": {{k: result.metrics[k] for k in ("envstep", "train_iter")}}}}))
"""


def registered(staged: Path) -> bool:
    """Whether Tune's driver holds a checkpoint of the trial: a result with one is followed by another result.

    The files of a reported checkpoint reach storage before the driver has fetched and registered it (a 'save'
    call to the trial's own worker, answered after the result is logged); a kill in between restarts the trial
    from scratch. The driver asks for the next result only once that save is processed, so a later row in the
    trial's result.json is the event that says the checkpoint is Tune's.
    """
    for results in staged.glob("**/train_trial_*/result.json"):
        rows = []
        for line in results.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # the line being written
                break
        if any(row.get("checkpoint_dir_name") for row in rows[:-1]):
            return True
    return False


def test_a_killed_trial_resumes_from_its_tune_checkpoint_exactly(tmp_path):
    script = tmp_path / "tune_run.py"
    script.write_text(TUNE.format(horizon=HORIZON, point=POINT))
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, str(script), ray_address(), str(store)], cwd=tmp_path, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    staged = session_dir() / "artifacts"  # Tune runs a trial in a local staging dir and syncs it to storage_path

    def started() -> Path | None:
        logs = list(staged.glob("**/cartpole_ppo/log/train.log"))
        return logs[0] if logs and registered(staged) and logged_pid(logs[0], "tune: started trial") else None

    log = wait_for(started, timeout=900, what="Tune to register the trial's first checkpoint")  # a hang guard
    os.kill(logged_pid(log, "tune: started trial"), signal.SIGKILL)
    out, err = proc.communicate(timeout=900)  # a hang guard: a loaded machine is slow
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["error"] is None and result["metrics"] == {"envstep": HORIZON, "train_iter": 800}
    # the restarted trial may run in another staging dir than the killed one: find the run that resumed
    logs = [*staged.glob("**/cartpole_ppo/log/train.log"), *store.glob("**/cartpole_ppo/log/train.log")]
    resumed = [p for p in logs if "tune: resumed trial" in p.read_text()]
    assert resumed, f"no train.log says the trial resumed: {logs}"
    run_dir = resumed[0].parent.parent
    main, create, path = load_config_file("cartpole_ppo_config.py", SEARCH_PATH)
    reference = tmp_path / "reference"
    build(RunSpec("cartpole_ppo", 1, POINT, main, create, str(reference), str(path),
                  horizons={"max_env_step": HORIZON})).run()
    got = torch.load(run_dir / "ckpt" / FINAL, weights_only=True)
    assert_same(got, torch.load(reference / "cartpole_ppo" / "ckpt" / FINAL, weights_only=True))
