from easydict import EasyDict

# PPO on Pong with DI-engine's Atari preprocessing (see pong_dqn_config.py) and DI-engine's pong_ppo
# hyperparameters (its file also runs unchanged): a shared conv encoder, advantages recomputed with the
# current critic before every epoch (recompute_adv) and the critic learning returns scaled by their running
# std (learn.value_norm) -- both named here because ding_lite's defaults for them are False. The env
# manager is 'base' so the emulators' state is in every checkpoint and a resume is bit-identical.
pong_ppo_config = dict(
    exp_name='pong_ppo',
    env=dict(
        env_id='PongNoFrameskip-v4',
        collector_env_num=8,
        evaluator_env_num=8,
        n_evaluator_episode=8,
        stop_value=20,
        frame_stack=4,
    ),
    policy=dict(
        cuda=True,  # the GPU when there is one, else the CPU (said once in the log)
        recompute_adv=True,
        action_space='discrete',
        model=dict(
            obs_shape=[4, 84, 84],
            action_shape=6,
            action_space='discrete',
            encoder_hidden_size_list=[64, 64, 128],  # three convolutions (8/4/3, strides 4/2/1), then 128
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            epoch_per_collect=10,
            batch_size=320,
            learning_rate=3e-4,
            value_weight=0.5,
            entropy_weight=0.001,
            clip_ratio=0.2,
            adv_norm=True,
            value_norm=True,
            grad_clip_type='clip_norm',
            grad_clip_value=0.5,
        ),
        collect=dict(
            n_sample=3200,
            discount_factor=0.99,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=5000, )),
    ),
)
pong_ppo_config = EasyDict(pong_ppo_config)
main_config = pong_ppo_config
pong_ppo_create_config = dict(
    env=dict(type='atari'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo'),
)
pong_ppo_create_config = EasyDict(pong_ppo_create_config)
create_config = pong_ppo_create_config
