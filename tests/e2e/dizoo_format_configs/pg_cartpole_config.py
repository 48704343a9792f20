"""REINFORCE (DI-engine's ``pg``) on CartPole, written for ding_lite's tests in DI-engine's config-file format.

Whole episodes are collected, so create_config also names an episode collector, as DI-engine's PG files do.
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_pg_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        model=dict(obs_shape=4, action_shape=2),
        collect=dict(n_episode=80, unroll_len=1, discount_factor=0.9),
        learn=dict(batch_size=64, learning_rate=1e-3, entropy_weight=1e-3),
        eval=dict(evaluator=dict(eval_freq=100)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='pg'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
    collector=dict(type='episode'),
))
