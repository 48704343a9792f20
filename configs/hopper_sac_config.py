from easydict import EasyDict

# SAC on Hopper with DI-engine's hopper_sac hyperparameters (its file also runs unchanged). DI-engine's
# 'Hopper-v3' is not made by gymnasium 1.x: this trains Hopper-v5 (which pays the healthy reward only on
# healthy steps). Hopper's actions are already in [-1, 1], the range the SAC actor acts in. The env manager
# is 'base' so the simulator's state (qpos, qvel, time, RNG) is in every checkpoint; with the replay buffer
# kept with every checkpoint (the default), kill -9 then --resume latest is bit-identical.
hopper_sac_config = dict(
    exp_name='hopper_sac',
    env=dict(
        env_id='Hopper-v5',
        collector_env_num=1,
        evaluator_env_num=8,
        n_evaluator_episode=8,
        stop_value=6000,
    ),
    policy=dict(
        cuda=True,  # the GPU when there is one, else the CPU (said once in the log)
        random_collect_size=10000,
        model=dict(
            obs_shape=11,
            action_shape=3,
            twin_critic=True,
            action_space='reparameterization',
            actor_head_hidden_size=256,
            critic_head_hidden_size=256,
        ),
        learn=dict(
            update_per_collect=1,
            batch_size=256,
            learning_rate_q=1e-3,
            learning_rate_policy=1e-3,
            learning_rate_alpha=3e-4,
            ignore_done=False,
            target_theta=0.005,
            discount_factor=0.99,
            alpha=0.2,
            auto_alpha=False,
        ),
        collect=dict(n_sample=1, ),
        eval=dict(evaluator=dict(eval_freq=5000, )),
        other=dict(replay_buffer=dict(type='uniform', 
            replay_buffer_size=1000000,
        ), ),
    ),
)
hopper_sac_config = EasyDict(hopper_sac_config)
main_config = hopper_sac_config
hopper_sac_create_config = dict(
    env=dict(type='mujoco'),
    env_manager=dict(type='base'),
    policy=dict(type='sac'),
)
hopper_sac_create_config = EasyDict(hopper_sac_create_config)
create_config = hopper_sac_create_config
