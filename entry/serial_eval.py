"""Enjoy a trained agent: ``python -m entry.serial_eval -c cartpole_ppo_config.py [--ckpt PATH | --resume latest]``.

Loads ckpt_best by default (the newest checkpoint when the run has no best), plays greedy episodes
on fresh envs, prints each return, and never writes into the experiment.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ding_lite.envs.make import EnvOptions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entry.serial_eval", description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True, help="the config the run was trained with")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ckpt", default=None, help="checkpoint file to load")
    source.add_argument("--resume", default=None, metavar="latest|DIR",
                        help="run whose best checkpoint to load (default: the config's policy.load_path when it "
                             "names one, as DI-engine's eval entry, else the newest run of its exp_name)")
    parser.add_argument("--episodes", type=int, default=5, help="episodes to play (default 5)")
    parser.add_argument("-s", "--seed", type=int, default=0, help="seed of the first episode (default 0)")
    parser.add_argument("--gif", default=None, metavar="FILE", help="write an animation of the first episode")
    parser.add_argument("--video", default=None, metavar="DIR", help="record every episode to DIR/episode_K.mp4")
    return parser


def play(policy: Any, env_id: str, episodes: int, seed: int, gif: str | None,
         max_episode_steps: int | None, options: EnvOptions | None = None, video: str | None = None) -> list[float]:
    import numpy as np

    from ding_lite.envs.make import make_env, silence_env_warnings
    from ding_lite.pipeline.videos import video_fps
    from ding_lite.utils.video import VideoFile, write_gif

    silence_env_warnings()
    kwargs: dict[str, Any] = {"render_mode": "rgb_array"} if gif or video else {}
    env = make_env(env_id, max_episode_steps, options=options, **kwargs)
    policy.bind_action_space(env.action_space)
    returns, frames = [], []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        total, done = 0.0, False
        recording = VideoFile(Path(video) / f"episode_{episode + 1}.mp4", video_fps(env, env_id)) if video else None
        while not done:
            frame = env.render() if (gif and episode == 0) or recording else None
            if gif and episode == 0:
                frames.append(frame)
            if recording:
                recording.add(frame)
            action = policy.eval_forward(np.asarray(obs)[None])[0]
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
        if recording:
            recording.close()
        print(f"episode {episode + 1}: return {total:.1f}", flush=True)
    env.close()
    if gif:
        write_gif(frames, gif)
    return returns


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.gif or args.video:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from configs import SEARCH_PATH
    from ding_lite.config import ConfigError, load_config_file
    from ding_lite.config.save import restore_config_objects
    from ding_lite.envs.make import env_options
    from ding_lite.envs.registry import resolve_env
    from ding_lite.pipeline.layout import eval_checkpoint
    from ding_lite.policy.registry import get_policy_class
    from ding_lite.utils.checkpoint_io import CheckpointError, load_checkpoint

    try:
        if args.episodes < 1:
            raise ConfigError(f"--episodes must be >= 1, got {args.episodes}.")
        main_cfg, _, _ = load_config_file(args.config, SEARCH_PATH)
        ckpt_path = eval_checkpoint(args.ckpt, args.resume, main_cfg.get("exp_name", "default_experiment"),
                                    (main_cfg.get("policy") or {}).get("load_path"), Path.cwd())
        ckpt = load_checkpoint(str(ckpt_path))
        cfg = restore_config_objects(ckpt["config"], main_cfg)
        policy = get_policy_class(cfg["policy"]["type"])(cfg["policy"], args.seed)
        policy.check_learn_state(ckpt["policy"], str(ckpt_path))
        policy.load_state_dict_learn(ckpt["policy"], restore_rng=False)
        env_id, _ = resolve_env({**cfg["env"], "manager": {}})  # a gymnasium env (also after env_pool training)
        if args.video:
            from ding_lite.pipeline.videos import video_dir

            video_dir(args.video, Path.cwd(), "--video")
        if args.gif:
            import PIL  # noqa: F401
            import pygame  # noqa: F401 - fail here, before playing, when rendering is impossible
    except (ConfigError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"error: --gif needs pygame and pillow ({exc.name} is missing): "
              "pip install 'gymnasium[classic-control]' pillow", file=sys.stderr)
        return 2
    print(f"playing {args.episodes} episodes of {cfg['env']['env_id']} with {ckpt_path} "
          f"(train_iter {ckpt['train_iter']}, envstep {ckpt['envstep']})", flush=True)
    returns = play(policy, env_id, args.episodes, args.seed, args.gif, cfg["env"]["max_episode_steps"],
                   env_options(cfg["env"], evaluator=True), args.video)
    print(f"mean return over {len(returns)} episodes: {sum(returns) / len(returns):.1f}", flush=True)
    if args.gif:
        print(f"animation of episode 1 written to {args.gif}", flush=True)
    if args.video:
        print(f"videos of the {args.episodes} episodes written to {args.video}/episode_K.mp4", flush=True)
    return 0


if __name__ == "__main__":
    from entry.fast_exit import exit_now

    exit_now(main())
