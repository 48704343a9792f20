"""Stable-Baselines3's tuned CartPole PPO hyperparameters (rl-baselines3-zoo ``ppo.yml``, CartPole-v1).

n_envs 8, n_steps 32 (-> n_sample 256), batch_size 256, n_epochs 20, learning_rate 1e-3, gae_lambda 0.8,
gamma 0.98, ent_coef 0.0, clip_range 0.2; SB3's default MlpPolicy for PPO: separate actor and critic
MLPs with two hidden layers of 64 (here: a 64-wide encoder per side plus a 64-wide head layer), value
coefficient 0.5, max_grad_norm 0.5, advantage normalisation. The zoo decays learning rate and clip range
linearly; they are constant here (no effect on speed). No early stop: bench_train_throughput.py runs it
for a fixed number of env steps. Evaluation is left to the end (SB3's ``learn`` does not evaluate).
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='cartpole_ppo_sb3',
    env=dict(
        env_id='CartPole-v1',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=5,
        stop_value=None,
    ),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(
            obs_shape=4,
            action_shape=2,
            action_space='discrete',
            encoder_hidden_size_list=[64],
            actor_head_hidden_size=64,
            critic_head_hidden_size=64,
            share_encoder=False,
        ),
        learn=dict(
            epoch_per_collect=20,
            batch_size=256,
            learning_rate=1e-3,
            value_weight=0.5,
            entropy_weight=0.0,
            clip_ratio=0.2,
            grad_clip_value=0.5,
            adv_norm=True,
        ),
        collect=dict(
            n_sample=256,
            discount_factor=0.98,
            gae_lambda=0.8,
        ),
        eval=dict(evaluator=dict(eval_freq=10**9)),
    ),
))
create_config = EasyDict(dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='auto'),
    policy=dict(type='ppo'),
))
