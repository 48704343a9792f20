"""Discrete SAC on CartPole, written for ding_lite's tests in DI-engine's config-file format (its cartpole_sac keys)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_discrete_sac_cartpole',
    env=dict(collector_env_num=4, evaluator_env_num=2, n_evaluator_episode=2, stop_value=195),
    policy=dict(
        cuda=False,
        random_collect_size=0,
        multi_agent=False,
        model=dict(obs_shape=4, action_shape=2, twin_critic=True, actor_head_hidden_size=64,
                   critic_head_hidden_size=64),
        learn=dict(
            update_per_collect=2,
            batch_size=64,
            learning_rate_q=5e-3,
            learning_rate_policy=5e-3,
            learning_rate_alpha=3e-4,
            ignore_done=False,
            target_theta=0.01,
            discount_factor=0.99,
            alpha=0.2,
            auto_alpha=False,
        ),
        collect=dict(env_num=4, n_sample=16, unroll_len=1),
        command=dict(),
        eval=dict(evaluator=dict(eval_freq=50), env_num=2),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=5000),
            replay_buffer=dict(replay_buffer_size=20000),
        ),
    ),
))

create_config = EasyDict(dict(
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
    env_manager=dict(type='base'),
    policy=dict(type='discrete_sac'),
))
