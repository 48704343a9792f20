"""SQN (twin Q-networks, learned temperature) on CartPole, written for ding_lite's tests in DI-engine's config-file
format, with the stale keys DI-engine's SQN file sets (learn.multi_gpu, collect.nstep)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_sqn_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[64, 64], dueling=True),
        learn=dict(multi_gpu=False, update_per_collect=4, batch_size=64, learning_rate_q=0.001,
                   learning_rate_alpha=0.001, alpha=0.2, target_entropy=0.2),
        collect=dict(n_sample=8, nstep=1),
        other=dict(eps=dict(type='exp', start=1., end=0.8, decay=2000), replay_buffer=dict(replay_buffer_size=10000)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='sqn'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
