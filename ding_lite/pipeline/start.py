"""Which checkpoint a run starts from: ``--resume`` (latest, auto, a run dir or a file) or the config's
``load_ckpt_before_run``; every failure is one sentence before anything is created or changed."""
from __future__ import annotations

from pathlib import Path

from ding_lite.config import ConfigError
from ding_lite.pipeline.layout import resolve_resume
from ding_lite.utils.checkpoint_io import load_checkpoint


def start_checkpoint(resume: str | None, cfg: dict, base: Path, policy_name: str
                     ) -> tuple[Path | None, dict | None, str]:
    """(checkpoint path, its contents, a console note on incomplete checkpoints passed over, or '').

    ``--resume`` sets ``load_ckpt_before_run`` and ``resume_training`` in ``cfg``; ``--resume auto`` with no
    complete checkpoint of this exp_name leaves both alone, so the run starts new.
    """
    learn, skipped, note = cfg["policy"]["learn"], [], ""
    ckpt = None if resume is None else resolve_resume(resume, cfg["exp_name"], base, skipped)
    if ckpt is not None:
        learn["learner"]["hook"]["load_ckpt_before_run"] = str(ckpt)
        learn["resume_training"] = True
        if skipped:
            note = (f"passed over {', '.join(skipped)}: incomplete (killed mid-write or a damaged copy); "
                    f"resuming from {ckpt}")
    load_path = learn["learner"]["hook"]["load_ckpt_before_run"]
    if not load_path:
        if learn["resume_training"]:
            raise ConfigError("config key 'policy.learn.resume_training' is True but no checkpoint is named: "
                              "set policy.learn.learner.hook.load_ckpt_before_run or pass --resume.")
        return None, None, note
    path = Path(load_path).expanduser().resolve()
    if not path.exists():
        raise ConfigError(
            f"config key 'policy.learn.learner.hook.load_ckpt_before_run' names '{load_path}', which does not exist.")
    return path, load_checkpoint(str(path), expect_algo=policy_name), note
