from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="ding_lite",
    version="0.1.0",
    description="A small, fast RL pipeline framework whose runs can be stopped, inspected and resumed exactly.",
    long_description=Path(__file__).with_name("README.rst").read_text(encoding="utf-8"),
    long_description_content_type="text/x-rst",
    python_requires=">=3.10",
    packages=find_packages(include=["ding_lite", "ding_lite.*", "entry", "configs"]),
    install_requires=[
        # Any torch 2.x works; README installs the CPU build 2.13.0 first so pip never pulls CUDA wheels.
        "torch>=2.1",
        "gymnasium>=1.1,<2",
        "easydict",
        "tensorboard",
        "matplotlib",  # entry.plot and --plot (Agg backend: no display needed)
        "numpy",
    ],
    extras_require={
        "gif": ["pygame", "pillow"],
        # env.replay_path / serial_eval --video: mp4 (H.264) encoded in-process by PyAV, whose wheels bundle
        # FFmpeg's libraries (no system ffmpeg); pygame draws classic control and Box2D frames
        "video": ["av>=12", "pygame"],
        "wandb": ["wandb>=0.19"],  # --wandb PROJECT / the wandb config key (Weights & Biases)
        "atari": ["gymnasium[atari]", "opencv-python"],  # ale-py (its wheels ship the ROMs); OpenCV: 84x84 warp
        "mujoco": ["gymnasium[mujoco]"],  # the mujoco bindings and imageio (rendering)
        "box2d": ["gymnasium[box2d]"],  # LunarLander, BipedalWalker (the prebuilt box2d wheel)
        "envpool": ["envpool"],  # env_manager.type='env_pool' (Linux wheels; 1.2.5 tested)
        "ray": ["ray==2.60.0"],  # entry.ray_runs, env_manager.type='ray' (core Ray only; the version tested)
        "tune": ["ray[tune]==2.60.0"],  # ding_lite.distributed.tune: runs as Tune trials
        # bench/ only: the side-by-side baselines (never imported by ding_lite or the tests)
        "bench": ["stable-baselines3==2.9.*", "sb3-contrib==2.9.*"],
        # Everything the test suite imports, so README's one install line runs the whole suite with nothing skipped.
        "test": ["pytest", "pygame", "pillow", "gymnasium[atari,mujoco,box2d]", "opencv-python", "envpool",
                 "ray[tune]==2.60.0", "av>=12", "wandb>=0.19"],
    },
)
