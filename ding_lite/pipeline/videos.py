"""Whether a run records evaluation videos (``env.replay_path``), decided before any file or env exists.

A missing video extra is an error (the user asked for files that cannot be written). An env that cannot draw
here (MuJoCo without an OpenGL backend, the env_pool and ray managers whose envs live where frames cannot be
fetched) is one console sentence and the run trains without videos: DI-engine's own files set
``replay_path`` on machines that have no display, and they must still run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ding_lite.pipeline.layout import check_writable
from ding_lite.utils.video import require_video
from ding_lite.worker.eval_video import EvalVideos

NO_RENDER_MANAGERS = ("env_pool", "ray")
ATARI_FRAME_SKIP = 4
"""The Atari preset repeats each action for 4 emulator frames: a video of agent steps plays at render_fps / 4."""


def video_fps(env: Any, env_id: str) -> float:
    """Frames per second that play an episode at the simulator's own pace (one frame per agent step)."""
    from ding_lite.envs.registry import is_atari

    fps = float(env.metadata.get("render_fps") or 30)
    return fps / ATARI_FRAME_SKIP if is_atari(env_id) else fps


def _probe(env_cfg: dict) -> tuple[float, str]:
    """(frames per second, "") when ``env_cfg``'s evaluator env draws an rgb frame, else (0, why not).

    A throwaway env with its own generator: the run's envs and global RNGs are untouched.
    """
    from ding_lite.envs.make import env_options, make_env, silence_env_warnings

    silence_env_warnings()
    env_id = env_cfg["env_id"]
    env = None
    try:
        env = make_env(env_id, env_cfg["max_episode_steps"], options=env_options(env_cfg, True, render=True))
        env.reset(seed=0)
        frame = env.render()
        if getattr(frame, "ndim", 0) != 3:
            return 0.0, f"{env_id} draws no rgb frame"
        return video_fps(env, env_id), ""
    except Exception as exc:  # noqa: BLE001 - any simulator's failure to draw is reported, never raised
        why = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}".rstrip(": ")
        import gymnasium

        if "mujoco" in str(gymnasium.spec(env_id).entry_point):
            why += "; MuJoCo needs an OpenGL backend: set MUJOCO_GL=egl (or MUJOCO_GL=osmesa)"
        return 0.0, why
    finally:
        if env is not None:
            env.close()


def video_dir(path: str | Path, base_dir: Path, culprit: str) -> Path:
    """``path`` (relative to ``base_dir``, as DI-engine's is to the working dir), once the video extra is known
    to be installed and the dir to be writable: one sentence naming ``culprit`` otherwise."""
    require_video(culprit)
    directory = Path(path).expanduser()
    directory = directory if directory.is_absolute() else base_dir / directory
    check_writable(directory, f"video dir ({culprit})")
    return directory


def plan_videos(env_cfg: dict, render: dict, base_dir: Path) -> tuple[EvalVideos | None, str]:
    """The recorder of a run (None: no videos) and the console sentence: why none, when asked for, or where
    ``render``'s videos go (DI-engine puts them in TensorBoard).

    ``render`` is ``policy.eval.evaluator.render`` (DI-engine's ``render_freq`` and ``mode``).
    """
    replay_path, render_freq = env_cfg.get("replay_path"), render["render_freq"]
    if not replay_path and render_freq <= 0:
        return None, ""
    culprit = "config key 'env.replay_path'" if replay_path else "config key 'policy.eval.evaluator.render'"
    directory = video_dir(replay_path, base_dir, culprit) if replay_path else None
    if directory is None:
        require_video(culprit)
    manager = env_cfg["manager"]["type"]
    if manager in NO_RENDER_MANAGERS:
        return None, (f"{culprit.removeprefix('config key ')} asks for videos but none is recorded: the '{manager}' "
                      "env manager cannot render its envs (use env.manager.type 'auto').")
    fps, why = _probe(env_cfg)
    if why:
        return None, (f"{culprit.removeprefix('config key ')} asks for videos but none is recorded: "
                      f"{env_cfg['env_id']} cannot render here ({why}).")
    note = "" if render_freq <= 0 else (
        f"policy.eval.evaluator.render.render_freq={render_freq}: DI-engine shows these videos in TensorBoard; "
        f"ding_lite writes them as mp4 files under {directory or 'EXP/videos'} (and the first of each to W&B).")
    return EvalVideos(directory, fps, every=bool(replay_path), render_freq=render_freq, mode=render["mode"]), note
