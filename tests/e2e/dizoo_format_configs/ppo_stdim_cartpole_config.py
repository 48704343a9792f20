"""PPO with ST-DIM's auxiliary contrastive loss on CartPole, written for ding_lite's tests in DI-engine's
config-file format (with its Atari files' create_config replay_buffer, which an on-policy run keeps no use for)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_ppo_stdim_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(obs_shape=4, action_shape=2, action_space='discrete', encoder_hidden_size_list=[64, 64, 128],
                   critic_head_hidden_size=128, actor_head_hidden_size=128),
        aux_model=dict(encode_shape=64, heads=[1, 1], loss_type='infonce', temperature=1.0),
        aux_loss_weight=0.003,
        learn=dict(epoch_per_collect=2, batch_size=64, learning_rate=0.001, value_weight=0.5, entropy_weight=0.01,
                   clip_ratio=0.2),
        collect=dict(n_sample=256, unroll_len=1, discount_factor=0.9, gae_lambda=0.95),
        eval=dict(evaluator=dict(eval_freq=100)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='ppo_stdim'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
    replay_buffer=dict(type='naive'),
))
