"""SAC on Pendulum, written for ding_lite's tests in DI-engine's config-file format (its pendulum_sac keys)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_sac_pendulum',
    env=dict(collector_env_num=4, evaluator_env_num=2, act_scale=True, n_evaluator_episode=2, stop_value=-250),
    policy=dict(
        cuda=False,
        priority=False,
        random_collect_size=256,
        model=dict(obs_shape=3, action_shape=1, twin_critic=True, action_space='reparameterization',
                   actor_head_hidden_size=64, critic_head_hidden_size=64),
        learn=dict(
            update_per_collect=4,
            batch_size=64,
            learning_rate_q=1e-3,
            learning_rate_policy=1e-3,
            learning_rate_alpha=3e-4,
            ignore_done=True,
            target_theta=0.005,
            discount_factor=0.99,
            auto_alpha=True,
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=200)),
        other=dict(replay_buffer=dict(replay_buffer_size=20000)),
    ),
))

create_config = EasyDict(dict(
    env=dict(type='pendulum', import_names=['dizoo.classic_control.pendulum.envs.pendulum_env']),
    env_manager=dict(type='base'),
    policy=dict(type='sac'),
))
