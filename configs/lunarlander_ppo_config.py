from easydict import EasyDict

# PPO on LunarLander-v3 (8 observations, 4 discrete actions; DI-engine's 'LunarLander-v2' is the same task
# in gymnasium 0.x) with DI-engine's lunarlander_ppo hyperparameters (its file also runs unchanged):
# advantages recomputed before every epoch (recompute_adv) and returns scaled by their running std
# (learn.value_norm), named here because ding_lite's defaults for both are False. The env manager is
# 'base' so the Box2D worlds are stepped in this process.
lunarlander_ppo_config = dict(
    exp_name='lunarlander_ppo',
    env=dict(
        env_id='LunarLander-v3',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=5,
        stop_value=200,
    ),
    policy=dict(
        cuda=False,
        recompute_adv=True,
        action_space='discrete',
        model=dict(
            obs_shape=8,
            action_shape=4,
            action_space='discrete',
        ),
        learn=dict(
            epoch_per_collect=10,
            batch_size=64,
            learning_rate=3e-4,
            entropy_weight=0.01,
            adv_norm=True,
            value_norm=True,
        ),
        collect=dict(
            n_sample=512,
            discount_factor=0.99,
            gae_lambda=0.95,
        ),
    ),
)
lunarlander_ppo_config = EasyDict(lunarlander_ppo_config)
main_config = lunarlander_ppo_config
lunarlander_ppo_create_config = dict(
    env=dict(type='lunarlander'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo'),
)
lunarlander_ppo_create_config = EasyDict(lunarlander_ppo_create_config)
create_config = lunarlander_ppo_create_config
