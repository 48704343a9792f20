"""What the results table runs: per env a fixed env-step budget and seeds, and per algorithm how each framework
trains it (a ding_lite config, rl-baselines3-zoo's hyperparameters for SB3, a dizoo config for DI-engine).

The zoo's hyperparameters are transcribed from DLR-RM/rl-baselines3-zoo ``hyperparams/*.yml`` (``lin_X`` is a
rate decaying linearly from X to 0 over the run); where the zoo has no entry for an env, the SB3 row is absent.
ding_lite rows use the shipped config for the env when there is one, else the shipped CartPole/Pendulum config
of the algorithm with the env swapped in (``edits``) and nothing else tuned; where SB3 has the algorithm on the env
and the zoo's hyperparameters map onto ding_lite's keys (``ZOO_AS_DING_LITE``), the ding_lite row uses those.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

ENVS = {
    # env id: (env-step budget per run, seeds)
    "CartPole-v1": (50_000, 5),
    "Pendulum-v1": (20_000, 5),
    "Acrobot-v1": (100_000, 5),
    "LunarLander-v3": (500_000, 5),
    "LunarLanderContinuous-v3": (300_000, 5),
    "Hopper-v5": (300_000, 3),
    "HalfCheetah-v5": (1_000_000, 3),
}


@dataclass(frozen=True)
class Row:
    framework: str  # ding_lite | sb3 | di-engine
    algo: str
    env: str
    spec: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.env}/{self.framework}/{self.algo}"


def _discrete(obs: int, act: int, env: str) -> dict:
    return {"env": {"env_id": env}, "policy": {"model": {"obs_shape": obs, "action_shape": act}}}


def merged(base: dict, edits: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in edits.items():
        out[key] = merged(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def _tanh_mlp(width: int, n: int) -> dict:
    """SB3's MlpPolicy for on-policy algorithms: separate actor and critic nets of ``n`` tanh layers of ``width``
    (ding_lite's encoder layer plus a head layer per net)."""
    import torch

    return {"encoder_hidden_size_list": [width] * (n - 1), "actor_head_hidden_size": width,
            "critic_head_hidden_size": width, "actor_head_layer_num": 1, "critic_head_layer_num": 1,
            "share_encoder": False, "activation": torch.nn.Tanh()}


def _q_mlp(width: int) -> dict:
    """SB3's DQN net_arch [width, width]: one encoder layer and one hidden layer in the Q head, no dueling."""
    return {"encoder_hidden_size_list": [width], "head_hidden_size": width, "head_layer_num": 1, "dueling": False}


def _dqn_dl(n_sample: int, updates: int, batch: int, lr: float, target_every: int, random_steps: int,
            eps_end: float, eps_decay: int, buffer: int) -> dict:
    """The zoo's DQN in ding_lite's keys: one env, ``updates`` per collect of ``n_sample``, a hard target copy every
    ``target_every`` updates, exploration falling linearly from 1 to ``eps_end`` over ``eps_decay`` env steps (the
    zoo's exploration_fraction of the budget), and the zoo's net and gradient clip."""
    return {"env": {"collector_env_num": 1},
            "policy": {"model": _q_mlp(256), "discount_factor": 0.99, "nstep": 1, "random_collect_size": random_steps,
                       "learn": {"update_per_collect": updates, "batch_size": batch, "learning_rate": lr,
                                 "target_update_freq": target_every, "double_q": False, "grad_clip_value": 10.0},
                       "collect": {"n_sample": n_sample},
                       "other": {"eps": {"type": "linear", "start": 1.0, "end": eps_end, "decay": eps_decay},
                                 "replay_buffer": {"replay_buffer_size": buffer}}}}


def _ppo_dl(envs: int, n_sample: int, epochs: int, batch: int, lr: float, gamma: float, lam: float,
            **learn) -> dict:
    """The zoo's PPO in ding_lite's keys: SB3's separate 64-64 tanh nets, advantages normalised per minibatch and
    not recomputed per epoch, no value normalisation, gradient norm 0.5, no entropy bonus (``learn`` overrides)."""
    return {"env": {"collector_env_num": envs}, "policy": {
        "recompute_adv": False, "model": _tanh_mlp(64, 2),
        "learn": {"epoch_per_collect": epochs, "batch_size": batch, "learning_rate": lr, "entropy_weight": 0.0,
                  "clip_ratio": 0.2, "value_weight": 0.5, "value_norm": False, "adv_norm": True,
                  "grad_clip_value": 0.5, **learn},
        "collect": {"n_sample": n_sample, "discount_factor": gamma, "gae_lambda": lam}}}


def _a2c_dl(envs: int) -> dict:
    """SB3's A2C defaults in ding_lite's keys (5 steps of each env per update, RMSprop at 7e-4 with eps 1e-5, gamma
    0.99, no GAE, gradient norm 0.5) with the zoo's ent_coef 0."""
    return {"env": {"collector_env_num": envs}, "policy": {
        "model": _tanh_mlp(64, 2),
        "learn": {"batch_size": 5 * envs, "learning_rate": 7e-4, "optimizer": "rmsprop", "eps": 1e-5,
                  "entropy_weight": 0.0, "value_weight": 0.5, "grad_norm": 0.5, "adv_norm": False},
        "collect": {"n_sample": 5 * envs, "discount_factor": 0.99, "gae_lambda": 1.0}}}


# SB3 copies DQN's target every 10 env steps on CartPole, i.e. at the start of each collect of 256 (a copy after
# each 128 updates); on Acrobot it trains one update per env step, so its 250 env steps are 250 updates
_DQN_CARTPOLE_DL = _dqn_dl(256, 128, 64, 2.3e-3, 128, 1000, 0.04, 8000, 100_000)
_DQN_ACROBOT_DL = _dqn_dl(4, 4, 128, 6.3e-4, 250, 0, 0.1, 12_000, 50_000)
ZOO_AS_DING_LITE = {
    # (algo, env): the SB3 row's rl-baselines3-zoo hyperparameters in ding_lite's keys, so that a ding_lite row
    # against SB3 compares the implementations, not two tunings. What has no ding_lite key is named here.
    # PPO CartPole: lin_0.001 is lr_scheduler's linear decay to 0 over the run's 195 collects; the linearly
    # decaying clip range has no key (0.2 throughout).
    ("ppo", "CartPole-v1"): _ppo_dl(8, 256, 20, 256, 1e-3, 0.98, 0.8,
                                    lr_scheduler={"epoch_num": 195, "min_lr_lambda": 0.0}),
    ("a2c", "CartPole-v1"): _a2c_dl(8),
    # DQN and QR-DQN: SB3's DQN loss is Huber, ding_lite's (DI-engine's) squared error
    ("dqn", "CartPole-v1"): _DQN_CARTPOLE_DL,
    ("qrdqn", "CartPole-v1"): merged(_DQN_CARTPOLE_DL, {"policy": {"model": {"num_quantiles": 10}}}),
    # Pendulum PPO: all but gSDE (use_sde, sde_sample_freq 4: exploration noise from a state-dependent linear map,
    # resampled every 4 steps), which ding_lite has not; its Gaussian has a state-free log-std starting at 0. The
    # shipped config's observation normalisation is switched off (the zoo has none on Pendulum).
    ("ppo", "Pendulum-v1"): merged(_ppo_dl(4, 4096, 10, 64, 1e-3, 0.9, 0.95), {"policy": {"obs_norm": False}}),
    ("dqn", "Acrobot-v1"): _DQN_ACROBOT_DL,
    ("qrdqn", "Acrobot-v1"): merged(_DQN_ACROBOT_DL, {"policy": {"model": {"num_quantiles": 25}}}),
    # Acrobot: the zoo normalises observations and rewards (VecNormalize). obs_norm is the first; ding_lite has no
    # reward normalisation: PPO's value_norm (the critic learns returns over their running std) stands in for it,
    # A2C has no stand-in.
    ("ppo", "Acrobot-v1"): merged(_ppo_dl(16, 4096, 4, 64, 3e-4, 0.99, 0.94, value_norm=True),
                                  {"policy": {"obs_norm": True}}),
    ("a2c", "Acrobot-v1"): merged(_a2c_dl(16), {"policy": {"obs_norm": True}}),
    # TRPO: sb3-contrib's defaults (a critic trained 10 epochs of batch 128 at 1e-3, conjugate gradient 15 steps with
    # damping 0.1, KL 0.01, line search 0.8 x 10) with the zoo's 2 envs x 1,024 steps and VecNormalize (observations
    # only here, as for A2C)
    ("trpo", "Acrobot-v1"): {"env": {"collector_env_num": 2}, "policy": {
        "obs_norm": True, "model": _tanh_mlp(64, 2),
        "learn": {"baseline": "value", "epoch_per_collect": 10, "batch_size": 128, "learning_rate": 1e-3,
                  "max_kl_step": 0.01, "cg_iters": 15, "cg_damping": 0.1, "backtrack_ratio": 0.8,
                  "max_backtracks": 10},
        "collect": {"n_sample": 2048, "discount_factor": 0.99, "gae_lambda": 0.95}}},
}


def _ding_lite_rows() -> list[Row]:
    rows = []
    cartpole = ("ppo", "pg", "a2c", "trpo", "ppg", "ppo_offpolicy", "dqn", "c51", "qrdqn", "iqn", "rainbow", "sac")
    names = {"ppg": "ppg_offpolicy", "sac": "discrete_sac"}
    for algo in cartpole:
        file = f"cartpole_{algo}_config.py"
        edits = merged(_discrete(4, 2, "CartPole-v1"), ZOO_AS_DING_LITE.get((algo, "CartPole-v1"), {}))
        rows.append(Row("ding_lite", names.get(algo, algo), "CartPole-v1", {"config": file, "edits": edits}))
    for algo in ("ddpg", "td3", "sac", "ppo"):
        rows.append(Row("ding_lite", algo, "Pendulum-v1", {"config": f"pendulum_{algo}_config.py",
                                                          "edits": ZOO_AS_DING_LITE.get((algo, "Pendulum-v1"), {})}))
    for algo in ("dqn", "c51", "qrdqn", "iqn", "rainbow", "ppo", "a2c", "trpo"):
        edits = merged(_discrete(6, 3, "Acrobot-v1"), ZOO_AS_DING_LITE.get((algo, "Acrobot-v1"), {}))
        rows.append(Row("ding_lite", algo, "Acrobot-v1", {"config": f"cartpole_{algo}_config.py", "edits": edits}))
    rows.append(Row("ding_lite", "ppo", "LunarLander-v3", {"config": "lunarlander_ppo_config.py", "edits": {}}))
    for algo in ("dqn", "qrdqn", "a2c", "trpo"):
        rows.append(Row("ding_lite", algo, "LunarLander-v3",
                        {"config": f"cartpole_{algo}_config.py", "edits": _discrete(8, 4, "LunarLander-v3")}))
    for algo in ("ddpg", "td3", "sac"):
        rows.append(Row("ding_lite", algo, "LunarLanderContinuous-v3", {
            "config": f"pendulum_{algo}_config.py",
            "edits": {"env": {"env_id": "LunarLanderContinuous-v3"},
                      "policy": {"model": {"obs_shape": 8, "action_shape": 2}}}}))
    rows.append(Row("ding_lite", "sac", "Hopper-v5", {"config": "hopper_sac_config.py", "edits": {}}))
    rows.append(Row("ding_lite", "sac", "HalfCheetah-v5", {
        "config": "hopper_sac_config.py",
        "edits": {"env": {"env_id": "HalfCheetah-v5"}, "policy": {"model": {"obs_shape": 17, "action_shape": 6}}}}))
    return rows


_DQN_CARTPOLE = dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000, gamma=0.99,
                     target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                     exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]))
_DQN_SMALL = dict(learning_rate=6.3e-4, batch_size=128, buffer_size=50_000, learning_starts=0, gamma=0.99,
                  target_update_interval=250, train_freq=4, gradient_steps=-1, exploration_fraction=0.12,
                  exploration_final_eps=0.1, policy_kwargs=dict(net_arch=[256, 256]))
_OFF_PENDULUM = dict(gamma=0.98, buffer_size=200_000, learning_starts=10_000, noise_std=0.1, gradient_steps=1,
                     train_freq=1, learning_rate=1e-3, policy_kwargs=dict(net_arch=[400, 300]))
_OFF_MUJOCO = dict(learning_starts=10_000, noise_std=0.1, train_freq=1, gradient_steps=1, learning_rate=1e-3,
                   batch_size=256, policy_kwargs=dict(net_arch=[400, 300]))

SB3_ZOO = {
    # (algo, env): (n_envs, normalize, kwargs) -- rl-baselines3-zoo's entry for that env
    ("ppo", "CartPole-v1"): (8, False, dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                                            ent_coef=0.0, learning_rate="lin_0.001", clip_range="lin_0.2")),
    ("a2c", "CartPole-v1"): (8, False, dict(ent_coef=0.0)),
    ("dqn", "CartPole-v1"): (1, False, _DQN_CARTPOLE),
    ("qrdqn", "CartPole-v1"): (1, False, {**_DQN_CARTPOLE, "policy_kwargs": dict(net_arch=[256, 256],
                                                                                  n_quantiles=10)}),
    ("trpo", "CartPole-v1"): (2, False, dict(n_steps=512, batch_size=512, cg_damping=1e-3, gae_lambda=0.98,
                                             gamma=0.99, learning_rate=1e-3, n_critic_updates=20)),
    ("ddpg", "Pendulum-v1"): (1, False, _OFF_PENDULUM),
    ("td3", "Pendulum-v1"): (1, False, _OFF_PENDULUM),
    ("sac", "Pendulum-v1"): (1, False, dict(learning_rate=1e-3)),
    ("ppo", "Pendulum-v1"): (4, False, dict(n_steps=1024, gae_lambda=0.95, gamma=0.9, n_epochs=10, ent_coef=0.0,
                                            learning_rate=1e-3, clip_range=0.2, use_sde=True, sde_sample_freq=4)),
    ("dqn", "Acrobot-v1"): (1, False, _DQN_SMALL),
    ("qrdqn", "Acrobot-v1"): (1, False, {**_DQN_SMALL, "policy_kwargs": dict(net_arch=[256, 256], n_quantiles=25)}),
    ("ppo", "Acrobot-v1"): (16, True, dict(n_steps=256, gae_lambda=0.94, gamma=0.99, n_epochs=4, ent_coef=0.0)),
    ("a2c", "Acrobot-v1"): (16, True, dict(ent_coef=0.0)),
    ("trpo", "Acrobot-v1"): (2, True, dict(n_steps=1024)),
    ("ppo", "LunarLander-v3"): (16, False, dict(n_steps=1024, batch_size=64, gae_lambda=0.98, gamma=0.999,
                                                n_epochs=4, ent_coef=0.01)),
    ("dqn", "LunarLander-v3"): (1, False, _DQN_SMALL),
    ("a2c", "LunarLander-v3"): (8, False, dict(gamma=0.995, n_steps=5, learning_rate="lin_0.00083",
                                               ent_coef=0.00001)),
    ("trpo", "LunarLander-v3"): (2, False, dict(n_steps=512, cg_damping=0.01, gae_lambda=0.98, gamma=0.99,
                                                learning_rate=1e-3, n_critic_updates=15)),
    ("ddpg", "LunarLanderContinuous-v3"): (1, False, _OFF_PENDULUM),
    ("td3", "LunarLanderContinuous-v3"): (1, False, _OFF_PENDULUM),
    ("sac", "LunarLanderContinuous-v3"): (1, False, dict(batch_size=256, learning_rate="lin_7.3e-4",
                                                         buffer_size=1_000_000, ent_coef="auto", gamma=0.99,
                                                         tau=0.01, train_freq=1, gradient_steps=1,
                                                         learning_starts=10_000,
                                                         policy_kwargs=dict(net_arch=[400, 300]))),
    ("sac", "Hopper-v5"): (1, False, dict(learning_starts=10_000)),
    ("sac", "HalfCheetah-v5"): (1, False, dict(learning_starts=10_000)),
    ("td3", "Hopper-v5"): (1, False, _OFF_MUJOCO),
    ("td3", "HalfCheetah-v5"): (1, False, _OFF_MUJOCO),
}

DIZOO_OTHER_ENV = {
    # env: why DI-engine's row cannot be set against the others' (its dizoo files make their own gym 0.25 env)
    "CartPole-v1": "not comparable: DI-engine's CartPole-v0 ends episodes at 200 steps",
}
DIZOO = {
    # (algo, env): DI-engine 0.5.3 dizoo config module (its CartPole is gym 0.25's CartPole-v0: 200-step episodes)
    ("dqn", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_dqn_config",
    ("c51", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_c51_config",
    ("qrdqn", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_qrdqn_config",
    ("rainbow", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_rainbow_config",
    ("ppo", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_ppo_config",
    ("a2c", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_a2c_config",
    ("ppo_offpolicy", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_ppo_offpolicy_config",
    ("discrete_sac", "CartPole-v1"): "dizoo.classic_control.cartpole.config.cartpole_sac_config",
    ("ddpg", "Pendulum-v1"): "dizoo.classic_control.pendulum.config.pendulum_ddpg_config",
    ("td3", "Pendulum-v1"): "dizoo.classic_control.pendulum.config.pendulum_td3_config",
    ("sac", "Pendulum-v1"): "dizoo.classic_control.pendulum.config.pendulum_sac_config",
    ("ppo", "Pendulum-v1"): "dizoo.classic_control.pendulum.config.pendulum_ppo_config",
}


def all_rows() -> list[Row]:
    rows = _ding_lite_rows()
    rows += [Row("sb3", algo, env, {"zoo": spec}) for (algo, env), spec in SB3_ZOO.items()]
    rows += [Row("di-engine", algo, env, {"module": module}) for (algo, env), module in DIZOO.items()]
    return rows
