"""TD3 on Pendulum, written for ding_lite's tests in DI-engine's config-file format (its pendulum_td3 keys)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_td3_pendulum',
    env=dict(collector_env_num=4, evaluator_env_num=2, act_scale=True, n_evaluator_episode=2, stop_value=-250),
    policy=dict(
        cuda=False,
        priority=False,
        random_collect_size=256,
        model=dict(obs_shape=3, action_shape=1, twin_critic=True, action_space='regression'),
        learn=dict(
            update_per_collect=4,
            batch_size=64,
            learning_rate_actor=1e-3,
            learning_rate_critic=1e-3,
            ignore_done=True,
            actor_update_freq=2,
            noise=True,
            noise_sigma=0.1,
            noise_range=dict(min=-0.5, max=0.5),
        ),
        collect=dict(n_sample=8, noise_sigma=0.1, collector=dict(collect_print_freq=1000)),
        eval=dict(evaluator=dict(eval_freq=200)),
        other=dict(replay_buffer=dict(replay_buffer_size=20000)),
    ),
))

create_config = EasyDict(dict(
    env=dict(type='pendulum', import_names=['dizoo.classic_control.pendulum.envs.pendulum_env']),
    env_manager=dict(type='base'),
    policy=dict(type='td3'),
))
