"""PPO-PG (PPO's clipped loss on whole-episode returns) on CartPole, written for ding_lite's tests in DI-engine's
config-file format, with its episode collector's get_train_sample key."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_ppo_pg_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        model=dict(obs_shape=4, action_shape=2),
        learn=dict(epoch_per_collect=2, batch_size=64, learning_rate=0.001, entropy_weight=0.001),
        collect=dict(n_episode=8, unroll_len=1, discount_factor=0.9, collector=dict(get_train_sample=True)),
        eval=dict(evaluator=dict(eval_freq=100)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='ppo_pg'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
    collector=dict(type='episode'),
))
