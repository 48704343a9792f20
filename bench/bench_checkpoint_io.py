"""How much a checkpoint costs: atomic fsynced save, load and newest-lookup of a realistic state.

The state is what a CartPole-sized PPO run saves: an MLP 4->64->64->128 with actor/critic heads,
its target copy, Adam state, RNG states and an unfinished rollout held as numpy arrays (~600 KB).
Plain ``torch.save`` (no fsync, not atomic) is timed too, so the price of the guarantees is visible.

Run: ``python bench/bench_checkpoint_io.py`` (writes under $TMPDIR; point it at the disk runs use).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ding_lite.utils.checkpoint_io import (
    load_checkpoint,
    newest_checkpoint,
    prune_checkpoints,
    save_checkpoint,
)

N_SAVES = 200
N_ENVS, ROLLOUT = 8, 2048


class ActorCritic(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = torch.nn.Sequential(
            torch.nn.Linear(4, 64),
            torch.nn.Tanh(),
            torch.nn.Linear(64, 64),
            torch.nn.Tanh(),
            torch.nn.Linear(64, 128),
            torch.nn.Tanh(),
        )
        self.actor = torch.nn.Linear(128, 2)
        self.critic = torch.nn.Linear(128, 1)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(obs)
        return self.actor(h), self.critic(h)


def realistic_state() -> dict:
    torch.manual_seed(0)
    model, target = ActorCritic(), ActorCritic()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    logits, value = model(torch.randn(64, 4))
    (logits.sum() + value.sum()).backward()
    optimizer.step()  # populates exp_avg / exp_avg_sq
    rng = np.random.default_rng(0)
    return {
        "algo": "ppo",
        "train_iter": 1200,
        "model": model.state_dict(),
        "target_model": target.state_dict(),
        "optimizer": optimizer.state_dict(),
        "collector": {
            "envstep": 2_457_600,
            "episode_count": 9_311,
            "pending_obs": rng.standard_normal((N_ENVS, ROLLOUT, 4), dtype=np.float32),
            "pending_reward": np.ones((N_ENVS, ROLLOUT), dtype=np.float32),
            "pending_done": np.zeros((N_ENVS, ROLLOUT), dtype=bool),
            "pending_logp": rng.standard_normal((N_ENVS, ROLLOUT), dtype=np.float32),
        },
        "evaluator": {"best_return": 500.0, "last_eval_iter": 1100},
        "rng": {
            "python": random.getstate(),
            "numpy": np.random.get_state(),
            "torch": torch.get_rng_state(),
            "envs": [np.random.default_rng(i).bit_generator.state for i in range(N_ENVS)],
        },
    }


def ms(seconds: list[float], q: float) -> float:
    return 1000 * float(np.quantile(seconds, q))


def main() -> None:
    state = realistic_state()
    with tempfile.TemporaryDirectory() as ckpt_dir:
        print(f"checkpoint dir             : {ckpt_dir}")
        save_times = []
        for it in range(N_SAVES):
            path = os.path.join(ckpt_dir, f"iteration_{it}.pth.tar")
            start = time.perf_counter()
            save_checkpoint(state, path)
            save_times.append(time.perf_counter() - start)
        size_kb = os.path.getsize(path) / 1024

        plain_times = []
        for it in range(N_SAVES):
            plain = os.path.join(ckpt_dir, f"plain_{it}.pth")
            start = time.perf_counter()
            torch.save(state, plain)
            plain_times.append(time.perf_counter() - start)

        load_times, newest_times = [], []
        for _ in range(50):
            start = time.perf_counter()
            load_checkpoint(path, expect_algo="ppo")
            load_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            newest = newest_checkpoint(ckpt_dir)
            newest_times.append(time.perf_counter() - start)
        assert newest == path

        start = time.perf_counter()
        removed = prune_checkpoints(ckpt_dir, 5)
        prune_s = time.perf_counter() - start

    save_median = 1000 * statistics.median(save_times)
    plain_median = 1000 * statistics.median(plain_times)
    print(f"checkpoint file size       : {size_kb:8.1f} KB")
    print(
        f"save_checkpoint (fsync)    : median {save_median:6.2f} ms   p90 {ms(save_times, 0.9):6.2f} ms"
        f"   max {ms(save_times, 1.0):6.2f} ms   ({N_SAVES} saves)"
    )
    print(
        f"plain torch.save, same dict: median {plain_median:6.2f} ms   (no fsync, not atomic) "
        f"-> save_checkpoint costs {save_median / plain_median:4.2f}x"
    )
    print(
        f"load_checkpoint            : median {1000 * statistics.median(load_times):6.2f} ms"
        f"   p90 {ms(load_times, 0.9):6.2f} ms"
    )
    print(
        f"newest_checkpoint ({N_SAVES} files): median {1000 * statistics.median(newest_times):6.2f} ms"
    )
    print(f"prune_checkpoints keep=5   : {1000 * prune_s:6.2f} ms for {len(removed)} files")


if __name__ == "__main__":
    main()
