"""TRPO with garage's linear feature baseline on CartPole, written for ding_lite's tests in DI-engine's format."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_trpo_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[32, 32], actor_head_hidden_size=32,
                   critic_head_hidden_size=32),
        learn=dict(
            max_kl_step=0.01,
            cg_iters=10,
            baseline='linear_feature',
            learner=dict(hook=dict(save_ckpt_after_iter=4)),
        ),
        collect=dict(n_sample=1024, discount_factor=0.99, gae_lambda=0.98),
        eval=dict(evaluator=dict(eval_freq=1)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='trpo'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
