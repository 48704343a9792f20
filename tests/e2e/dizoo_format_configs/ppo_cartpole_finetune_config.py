"""PPO on CartPole that starts from saved weights, in DI-engine's format, without a create_config.

DI-engine's guide to loading pre-trained models shows a file with only ``main_config``; this one, written for
ding_lite's tests, has that shape too. The test replaces CKPT_PATH with a checkpoint (or with '' to start fresh).
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_ppo_cartpole_finetune',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(
            action_space='discrete',
            obs_shape=4,
            action_shape=2,
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
            # weights (and optimizer) only: resume_training=False keeps this a new run, not a continuation
            resume_training=False,
            learner=dict(hook=dict(load_ckpt_before_run='CKPT_PATH')),
        ),
        eval=dict(evaluator=dict(eval_freq=100)),
    ),
))
