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


_DQN_CARTPOLE_DL = {
    # rl-baselines3-zoo's DQN CartPole-v1 entry in ding_lite's keys: SB3 trains 128 gradient steps after every 256
    # env steps and copies the target every 10 env steps, i.e. at the start of each collect: a hard copy every 128
    # updates here. Its 16% linear exploration of 50k steps is 8,000 env steps; learning_starts are random actions.
    "env": {"collector_env_num": 1},
    "policy": {"model": _q_mlp(256), "discount_factor": 0.99, "nstep": 1, "random_collect_size": 1000,
               "learn": {"update_per_collect": 128, "batch_size": 64, "learning_rate": 2.3e-3,
                         "target_update_freq": 128, "double_q": False, "grad_clip_value": 10.0},
               "collect": {"n_sample": 256},
               "other": {"eps": {"type": "linear", "start": 1.0, "end": 0.04, "decay": 8000},
                         "replay_buffer": {"replay_buffer_size": 100_000}}},
}
_DQN_ACROBOT_DL = {
    "env": {"collector_env_num": 1},
    "policy": {"model": _q_mlp(256), "discount_factor": 0.99, "nstep": 1, "random_collect_size": 0,
               "learn": {"update_per_collect": 4, "batch_size": 128, "learning_rate": 6.3e-4,
                         "target_update_freq": 250, "double_q": False, "grad_clip_value": 10.0},
               "collect": {"n_sample": 4},
               "other": {"eps": {"type": "linear", "start": 1.0, "end": 0.1, "decay": 12_000},
                         "replay_buffer": {"replay_buffer_size": 50_000}}},
}
ZOO_AS_DING_LITE = {
    # (algo, env): the SB3 row's rl-baselines3-zoo hyperparameters in ding_lite's keys, so that a ding_lite row
    # against SB3 compares the implementations, not two tunings. What has no ding_lite key is named in the comment.
    # PPO: lin_0.001 is lr_scheduler's linear decay to 0 over the run's 195 collects; the linearly decaying clip
    # range has no key (0.2 throughout).
    ("ppo", "CartPole-v1"): {"env": {"collector_env_num": 8}, "policy": {
        "recompute_adv": False, "model": _tanh_mlp(64, 2),
        "learn": {"epoch_per_collect": 20, "batch_size": 256, "learning_rate": 1e-3, "entropy_weight": 0.0,
                  "clip_ratio": 0.2, "value_weight": 0.5, "value_norm": False, "adv_norm": True,
                  "grad_clip_value": 0.5, "lr_scheduler": {"epoch_num": 195, "min_lr_lambda": 0.0}},
        "collect": {"n_sample": 256, "discount_factor": 0.98, "gae_lambda": 0.8}}},
    # A2C: SB3's defaults (5 steps of 8 envs per update, RMSprop at 7e-4 with eps 1e-5, gamma 0.99, no GAE, grad
    # norm 0.5) with the zoo's ent_coef 0
    ("a2c", "CartPole-v1"): {"env": {"collector_env_num": 8}, "policy": {
        "model": _tanh_mlp(64, 2),
        "learn": {"batch_size": 40, "learning_rate": 7e-4, "optimizer": "rmsprop", "eps": 1e-5,
                  "entropy_weight": 0.0, "value_weight": 0.5, "grad_norm": 0.5, "adv_norm": False},
        "collect": {"n_sample": 40, "discount_factor": 0.99, "gae_lambda": 1.0}}},
    # DQN and QR-DQN: SB3's DQN loss is Huber, ding_lite's (DI-engine's) squared error; both clip the gradient
    # norm at 10
    ("dqn", "CartPole-v1"): _DQN_CARTPOLE_DL,
    ("qrdqn", "CartPole-v1"): merged(_DQN_CARTPOLE_DL, {"policy": {"model": {"num_quantiles": 10}}}),
    # Pendulum PPO: the zoo's settings but gSDE (use_sde, sde_sample_freq 4: exploration noise from a state-dependent
    # linear map, resampled every 4 steps), which ding_lite has not; its Gaussian has a state-free log-std at 0
    ("ppo", "Pendulum-v1"): {"env": {"collector_env_num": 4}, "policy": {
        "recompute_adv": False, "model": _tanh_mlp(64, 2),
        "learn": {"epoch_per_collect": 10, "batch_size": 64, "learning_rate": 1e-3, "entropy_weight": 0.0,
                  "clip_ratio": 0.2, "value_weight": 0.5, "value_norm": False, "adv_norm": True,
                  "grad_clip_value": 0.5},
        "collect": {"n_sample": 4096, "discount_factor": 0.9, "gae_lambda": 0.95}}},
    # Acrobot: the zoo's DQN trains one update per env step (train_freq 4, gradient_steps -1), copies the target
    # every 250 env steps (= 250 updates) and explores over 12% of 100k steps
    ("dqn", "Acrobot-v1"): _DQN_ACROBOT_DL,
    ("qrdqn", "Acrobot-v1"): merged(_DQN_ACROBOT_DL, {"policy": {"model": {"num_quantiles": 25}}}),
    # the zoo normalises observations and rewards (VecNormalize): obs_norm is the first; ding_lite has no reward
    # normalisation, PPO's value_norm (the critic learns returns over their running std) stands in for it
    ("ppo", "Acrobot-v1"): {"env": {"collector_env_num": 16}, "policy": {
        "recompute_adv": False, "obs_norm": True, "model": _tanh_mlp(64, 2),
        "learn": {"epoch_per_collect": 4, "batch_size": 64, "learning_rate": 3e-4, "entropy_weight": 0.0,
                  "clip_ratio": 0.2, "value_weight": 0.5, "value_norm": True, "adv_norm": True,
                  "grad_clip_value": 0.5},
        "collect": {"n_sample": 4096, "discount_factor": 0.99, "gae_lambda": 0.94}}},
    # (ding_lite's A2C has no obs_norm: its Acrobot row sees raw observations)
    ("a2c", "Acrobot-v1"): {"env": {"collector_env_num": 16}, "policy": {
        "model": _tanh_mlp(64, 2),
        "learn": {"batch_size": 80, "learning_rate": 7e-4, "optimizer": "rmsprop", "eps": 1e-5,
                  "entropy_weight": 0.0, "value_weight": 0.5, "grad_norm": 0.5, "adv_norm": False},
        "collect": {"n_sample": 80, "discount_factor": 0.99, "gae_lambda": 1.0}}},
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
