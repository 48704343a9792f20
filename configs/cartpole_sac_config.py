from easydict import EasyDict

# Discrete SAC on CartPole-v0 (DI-engine's policy type 'discrete_sac'), tuned for few env steps and little
# wall time. Differences from DI-engine's dizoo file (which also runs unchanged): 8 transitions per collect
# with 4 updates each instead of 256 with 2, 128-wide layers, and epsilon falling over 5,000 env steps.
# Measured (seeds 0-4, 2 shared cores): 195 reached 5/5, median 1,256 env steps, 5 s launch->exit.
cartpole_sac_config = dict(
    exp_name='cartpole_sac',
    env=dict(
        env_id='CartPole-v0',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=5,
        stop_value=195,
    ),
    policy=dict(
        cuda=False,
        random_collect_size=0,
        model=dict(
            obs_shape=4,
            action_shape=2,
            twin_critic=True,
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            update_per_collect=4,
            batch_size=64,
            learning_rate_q=5e-3,
            learning_rate_policy=5e-3,
            learning_rate_alpha=3e-4,
            discount_factor=0.99,
            target_theta=0.01,
            alpha=0.2,
            auto_alpha=False,
            learner=dict(hook=dict(save_ckpt_after_iter=2000)),
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=100, )),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=5000),
            replay_buffer=dict(type='uniform', 
                replay_buffer_size=20000,
            ),
        ),
    ),
)
cartpole_sac_config = EasyDict(cartpole_sac_config)
main_config = cartpole_sac_config
cartpole_sac_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='discrete_sac'),
)
cartpole_sac_create_config = EasyDict(cartpole_sac_create_config)
create_config = cartpole_sac_create_config
