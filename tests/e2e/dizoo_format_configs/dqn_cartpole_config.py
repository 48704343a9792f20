"""Dueling DQN on CartPole, written for ding_lite's tests in DI-engine's config-file format.

The replay buffer, exploration schedule and n-step keys sit where DI-engine puts them (``policy.other``,
``policy.nstep``), so the test exercises the same keys a dizoo DQN file sets.
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_dqn_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        discount_factor=0.97,
        nstep=1,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[128, 128, 64], dueling=True),
        collect=dict(n_sample=8),
        learn=dict(batch_size=64, learning_rate=1e-3),
        eval=dict(evaluator=dict(eval_freq=50)),
        other=dict(
            # epsilon falls exponentially from 0.95 towards 0.1 over about 10k env steps
            eps=dict(type='exp', start=0.95, end=0.1, decay=10000),
            replay_buffer=dict(replay_buffer_size=20000),
        ),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='dqn'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
