"""PPO on CartPole, written for ding_lite's tests in DI-engine's config-file format.

A module-level ``main_config`` plus a ``create_config`` naming env, env manager and policy by ``type`` and
``import_names``, the way a dizoo file does, so the e2e test runs the same shape of file a DI-engine user has.
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_ppo_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(
            action_space='discrete',
            obs_shape=4,
            action_shape=2,
            # two 64-wide layers and a wider last one, shared by the actor and critic heads
            encoder_hidden_size_list=[64, 64, 128],
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        collect=dict(n_sample=256, unroll_len=1, discount_factor=0.9, gae_lambda=0.95),
        learn=dict(
            epoch_per_collect=2,
            batch_size=64,
            learning_rate=1e-3,
            clip_ratio=0.2,
            value_weight=0.5,
            entropy_weight=0.01,
            # the test fine-tunes from one of these checkpoints
            learner=dict(hook=dict(save_ckpt_after_iter=100)),
        ),
        eval=dict(evaluator=dict(eval_freq=100)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='ppo'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
))
