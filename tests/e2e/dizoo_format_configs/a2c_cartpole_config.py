"""A2C on CartPole, written for ding_lite's tests in DI-engine's config-file format (main_config + create_config)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_a2c_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[128, 128, 64]),
        learn=dict(
            batch_size=40,
            learning_rate=1e-3,
            entropy_weight=0.01,
            learner=dict(hook=dict(save_ckpt_after_iter=100)),
        ),
        collect=dict(n_sample=80, gae_lambda=0.95),
        eval=dict(evaluator=dict(eval_freq=50)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='a2c'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
