"""DQN with ST-DIM's auxiliary contrastive loss on CartPole, written for ding_lite's tests in DI-engine's config-file format."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_dqn_stdim_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        aux_model=dict(encode_shape=32, heads=[1, 1], loss_type='infonce', temperature=1.0),
        aux_loss_weight=0.003,
        discount_factor=0.97,
        nstep=1,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[128], dueling=False),
        collect=dict(n_sample=8),
        learn=dict(update_per_collect=6, batch_size=64, target_update_freq=0, target_theta=0.02, learning_rate=1e-3),
        eval=dict(evaluator=dict(eval_freq=50)),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=10000),
            replay_buffer=dict(replay_buffer_size=20000),
        ),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='dqn_stdim'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
