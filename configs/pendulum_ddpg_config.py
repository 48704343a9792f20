from easydict import EasyDict

# DDPG on Pendulum-v1 (1 torque in [-2, 2]; the policy acts in [-1, 1] and env.act_scale scales it), tuned for
# few env steps and little wall time. Differences from DI-engine's dizoo file (which also runs unchanged):
# one update per env step (update_per_collect=8 for 8 new transitions) instead of 2 per 48, 128-wide layers,
# a 1,000-step random warm-up (DI-engine: 800) and an evaluation of 50 episodes every 1,000 updates (DI-engine:
# 5 episodes every 100 updates, i.e. every 2,400 env steps; here every 1,000).
# A Pendulum return is heavy-tailed (a start the policy cannot swing up costs ~-1,500), so a 5-episode evaluation
# "solved" at 3,392 env steps with a policy whose 50 fresh episodes average -292.9 +- 372.5; judged on 50 episodes
# the run stops at 3,992 and its best checkpoint averages -193.3 +- 212.7 over 50 fresh ones (bench/solve_holds.py,
# seed 0).
pendulum_ddpg_config = dict(
    exp_name='pendulum_ddpg',
    env=dict(
        env_id='Pendulum-v1',
        collector_env_num=8,
        evaluator_env_num=10,
        act_scale=True,
        n_evaluator_episode=50,
        stop_value=-250,
    ),
    policy=dict(
        cuda=False,
        random_collect_size=1000,
        model=dict(
            obs_shape=3,
            action_shape=1,
            twin_critic=False,
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
            actor_update_freq=1,
            noise=False,
            noise_sigma=0.2,
            noise_range=dict(min=-0.5, max=0.5),
            learner=dict(hook=dict(save_ckpt_after_iter=2000)),
        ),
        collect=dict(n_sample=8, noise_sigma=0.1),
        eval=dict(evaluator=dict(eval_freq=1000, )),
        other=dict(replay_buffer=dict(type='uniform',
            replay_buffer_size=50000,
        ), ),
    ),
)
pendulum_ddpg_config = EasyDict(pendulum_ddpg_config)
main_config = pendulum_ddpg_config
pendulum_ddpg_create_config = dict(
    env=dict(type='pendulum'),
    env_manager=dict(type='base'),
    policy=dict(type='ddpg'),
)
pendulum_ddpg_create_config = EasyDict(pendulum_ddpg_create_config)
create_config = pendulum_ddpg_create_config
