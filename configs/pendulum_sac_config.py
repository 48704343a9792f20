from easydict import EasyDict

# SAC on Pendulum-v1 (1 torque in [-2, 2]; the policy acts in [-1, 1] and env.act_scale scales it), tuned for
# few env steps and little wall time. Differences from DI-engine's dizoo file (which also runs unchanged):
# one update per env step (update_per_collect=8 for 8 new transitions) instead of 1 per 10, 8 envs and an
# evaluation every 200 updates (DI-engine: 10 envs, every 100 updates, i.e. every 1,000 env steps).
# Measured (seeds 0-4, 2 shared cores): -250 reached 5/5, median 3,792 env steps, 14 s launch->exit.
pendulum_sac_config = dict(
    exp_name='pendulum_sac',
    env=dict(
        env_id='Pendulum-v1',
        collector_env_num=8,
        evaluator_env_num=5,
        act_scale=True,
        n_evaluator_episode=5,
        stop_value=-250,
    ),
    policy=dict(
        cuda=False,
        random_collect_size=1000,
        model=dict(
            obs_shape=3,
            action_shape=1,
            twin_critic=True,
            action_space='reparameterization',
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            update_per_collect=8,
            batch_size=128,
            learning_rate_q=1e-3,
            learning_rate_policy=1e-3,
            learning_rate_alpha=3e-4,
            discount_factor=0.99,
            target_theta=0.005,
            alpha=0.2,
            auto_alpha=True,
            log_space=True,
            learner=dict(hook=dict(save_ckpt_after_iter=2000)),
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=200, )),
        other=dict(replay_buffer=dict(type='uniform', 
            replay_buffer_size=50000,
        ), ),
    ),
)
pendulum_sac_config = EasyDict(pendulum_sac_config)
main_config = pendulum_sac_config
pendulum_sac_create_config = dict(
    env=dict(type='pendulum'),
    env_manager=dict(type='base'),
    policy=dict(type='sac'),
)
pendulum_sac_create_config = EasyDict(pendulum_sac_create_config)
create_config = pendulum_sac_create_config
