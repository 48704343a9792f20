"""GPU check: with ``policy.cuda=True``, is kill -9 then resume exact on the GPU, what does a resume on the CPU
give, and how fast are learn steps on the GPU against the CPU? For Pong DQN, Hopper SAC and CartPole PPO.

    python bench/gpu_check.py                      # a few hundred iterations each (about 8 minutes on one GPU)
    python bench/gpu_check.py --iters 30 --every 10  # a short proof on a CPU-only machine

Its first lines install what it needs when missing (the Atari and MuJoCo simulators). Per case, with the
shipped config made short (its env manager in-process, the replay buffer saved with each checkpoint):
  1. an uninterrupted run of ``--iters`` train iterations (the yardstick);
  2. the same run started again, SIGKILLed (its whole process group) just after its first checkpoint;
  3. that killed run resumed with ``--resume`` to ``--iters`` on the GPU, and a copy of it resumed on the CPU;
  4. each resume's final checkpoint compared with the yardstick's: bit-identical, or the largest difference;
  5. learn-step throughput: ``--bench-iters`` learner iterations timed on each device.
Without a GPU every "GPU" run trains on the CPU (policy.cuda falls back, as the log says) and the report says so.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys

NEEDS = {"ale_py": "gymnasium[atari]", "mujoco": "gymnasium[mujoco]", "cv2": "opencv-python"}
missing = [pkg for mod, pkg in NEEDS.items() if importlib.util.find_spec(mod) is None]
if missing:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)

import argparse
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CASES = {
    # name: (shipped config, entry module, edits appended to the config file)
    "pong_dqn": ("pong_dqn_config", "entry.serial_offpolicy",
                 ("main_config.env.update(collector_env_num=4, evaluator_env_num=1, n_evaluator_episode=1, "
                 "max_episode_steps=2000)\n"
                 "main_config.policy.other.replay_buffer.update(replay_buffer_size=20000, save_with_ckpt=True)\n")),
    "hopper_sac": ("hopper_sac_config", "entry.serial_offpolicy",
                   ("main_config.env.update(evaluator_env_num=1, n_evaluator_episode=1)\n"
                   "main_config.policy.random_collect_size = 1000\n"
                   "main_config.policy.other.replay_buffer.update(replay_buffer_size=100000, save_with_ckpt=True)\n")),
    "cartpole_ppo": ("cartpole_ppo_config", "entry.serial_onpolicy", ""),
}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def write_config(work: Path, case: str, cuda: bool, every: int) -> Path:
    name, _, edits = CASES[case]
    path = work / f"{case}_{'gpu' if cuda else 'cpu'}.py"
    path.write_text(f"from configs.{name} import main_config, create_config\n"
                    f"main_config.exp_name = {case!r}\n"
                    "main_config.env.stop_value = 10 ** 9\n"
                    f"main_config.env.manager = dict(type='base')\n"
                    f"main_config.policy.cuda = {cuda}\n"
                    "main_config.policy.eval.evaluator.eval_freq = 10 ** 9\n"
                    f"main_config.policy.learn.learner = dict(hook=dict(save_ckpt_after_iter={every}))\n" + edits)
    return path


def cli(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=child_env(), capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} exited {out.returncode}: {out.stderr.strip()[-400:]}")
    return out


def kill9_after_first_checkpoint(module: str, config: Path, iters: int, cwd: Path) -> str:
    proc = subprocess.Popen([sys.executable, "-m", module, "-c", str(config), "--max-train-iter", str(iters)],
                            cwd=cwd, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    ckpt = cwd / config.stem.rsplit("_", 1)[0] / "ckpt"
    def saved() -> list[int]:  # checkpoints proper (a replay buffer's side file is written before its checkpoint)
        return [int(p.name.split("_")[1].split(".")[0]) for p in ckpt.glob("iteration_*.pth.tar")
                if p.name.count(".") == 2]

    while proc.poll() is None and not saved():
        time.sleep(0.05)
    if proc.poll() is not None:
        return f"ended (exit {proc.returncode}) before the kill"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return f"killed -9 after iteration {max(saved())} was saved"


def compare(a, b, where: str = "") -> tuple[bool, float, str]:
    """(equal, largest absolute difference of float tensors, first differing path)."""
    if isinstance(a, dict):
        results = [compare(a[k], b.get(k), f"{where}.{k}") for k in a]
    elif isinstance(a, (list, tuple)):
        results = [compare(x, y, f"{where}[{i}]") for i, (x, y) in enumerate(zip(a, b))]
    elif isinstance(a, torch.Tensor):
        same = isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
        diff = float((a.double() - b.double()).abs().max()) if not same and a.is_floating_point() and \
            isinstance(b, torch.Tensor) and a.shape == b.shape and a.numel() else 0.0
        return same, diff, "" if same else where
    else:
        return a == b, 0.0, "" if a == b else where
    same = all(r[0] for r in results)
    return same, max((r[1] for r in results), default=0.0), next((r[2] for r in results if r[2]), "")


def final(run: Path) -> dict:
    """The run's newest checkpoint (a collect may train past the horizon: PPO trains 40 iterations per collect)."""
    newest = max((p for p in (run / "ckpt").glob("iteration_*.pth.tar") if p.name.count(".") == 2),
                 key=lambda p: int(p.name.split("_")[1].split(".")[0]))
    state = torch.load(newest, weights_only=True, map_location="cpu")
    return {k: state[k] for k in ("policy", "train_iter", "envstep")}


def throughput(case: str, cuda: bool, n_iters: int, work: Path) -> float:
    """Learner iterations per second (time inside learner.train only), after a 10-iteration warm-up."""
    from ding_lite.config import load_config_file
    from ding_lite.pipeline import SerialPipeline
    from ding_lite.worker.hooks import Hook

    main, create, _ = load_config_file(str(write_config(work, case, cuda, 10 ** 9)), [])
    times: list[float] = []
    marks: dict[str, float] = {}

    def before(ctx) -> None:
        if cuda and torch.cuda.is_available():
            torch.cuda.synchronize()
        marks["t"] = time.perf_counter()

    def after(ctx) -> None:
        if cuda and torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - marks["t"])

    pipeline = SerialPipeline(main, create, seed=0, base_dir=work / f"bench_{cuda}")
    pipeline.register_hook("before_iter", Hook("t0", before))
    pipeline.register_hook("after_iter", Hook("t1", after))
    pipeline.run(max_train_iter=n_iters + 10)
    return len(times[10:]) / sum(times[10:])


def check(case: str, iters: int, every: int, bench_iters: int, work: Path) -> None:
    module = CASES[case][1]
    gpu_cfg, cpu_cfg = write_config(work, case, True, every), write_config(work, case, False, every)
    start = time.perf_counter()
    (work / "whole").mkdir()
    cli(module, "-c", str(gpu_cfg), "--max-train-iter", str(iters), cwd=work / "whole")
    (work / "killed").mkdir()
    how = kill9_after_first_checkpoint(module, gpu_cfg, iters, work / "killed")
    shutil.copytree(work / "killed", work / "cpu_resume")
    cli(module, "-c", str(gpu_cfg), "--resume", str(work / "killed" / case), "--max-train-iter", str(iters),
        cwd=work / "killed")
    cli(module, "-c", str(cpu_cfg), "--resume", str(work / "cpu_resume" / case), "--max-train-iter", str(iters),
        cwd=work / "cpu_resume")
    want = final(work / "whole" / case)
    gpu_label = "GPU" if torch.cuda.is_available() else "cuda=True config (no GPU: on the CPU)"
    for label, run in ((gpu_label, work / "killed" / case), ("CPU", work / "cpu_resume" / case)):
        same, diff, where = compare(want, final(run))
        verdict = "bit-identical" if same else f"differs (first at {where}; largest difference {diff:.3g})"
        print(f"  {case}: run {how}; resumed on the {label} to iteration {iters}: {verdict}", flush=True)
    gpu = throughput(case, True, bench_iters, work) if torch.cuda.is_available() else None
    cpu = throughput(case, False, bench_iters, work)
    gpu_txt = f"{gpu:,.1f} it/s on the GPU, " if gpu else "no GPU here, "
    ratio = f" (GPU/CPU {gpu / cpu:.2f}x)" if gpu else ""
    print(f"  {case}: learn steps {gpu_txt}{cpu:,.1f} it/s on the CPU{ratio}; check took "
          f"{time.perf_counter() - start:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iters", type=int, default=300, help="train iterations of each run")
    parser.add_argument("--every", type=int, default=100, help="checkpoint every this many iterations")
    parser.add_argument("--bench-iters", type=int, default=200, help="learner iterations timed per device")
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (every run trains on the CPU)"
    print(f"GPU: {device}; torch {torch.__version__}", flush=True)
    for case in args.cases:
        with tempfile.TemporaryDirectory(prefix=f"gpu_check_{case}_") as tmp:
            check(case, args.iters, args.every, args.bench_iters, Path(tmp))


if __name__ == "__main__":
    main()
