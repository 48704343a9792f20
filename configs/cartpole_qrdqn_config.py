from easydict import EasyDict

# qrdqn on CartPole-v0 in DI-engine's format, tuned for few env steps and little wall time the way
# cartpole_dqn_config.py is: one hidden layer of 128, 6 updates per collect of 8 transitions, soft target updates.
# A solve is judged on 20 evaluation episodes (10 envs), not 5: with 5 the solving checkpoint (4,304 env steps)
# averaged 173.1 over 50 fresh episodes; with 20 it stops at 5,600 and averages 196.4 (bench/solve_holds.py, seed 0).
cartpole_qrdqn_config = dict(
    exp_name='cartpole_qrdqn',
    env=dict(
        env_id='CartPole-v0',
        collector_env_num=8,
        evaluator_env_num=10,
        n_evaluator_episode=20,
        stop_value=195,
    ),
    policy=dict(
        cuda=False,
        model=dict(
            obs_shape=4,
            action_shape=2,
            encoder_hidden_size_list=[128],
            num_quantiles=32,
        ),
        nstep=3,
        discount_factor=0.97,
        learn=dict(
            update_per_collect=6,
            batch_size=64,
            learning_rate=0.001,
            target_update_freq=0,
            target_theta=0.02,
            kappa=1.0,
            learner=dict(hook=dict(save_ckpt_after_iter=1000)),
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=50, )),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=10000),
            replay_buffer=dict(type='uniform', replay_buffer_size=20000),
        ),
    ),
)
cartpole_qrdqn_config = EasyDict(cartpole_qrdqn_config)
main_config = cartpole_qrdqn_config
cartpole_qrdqn_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='qrdqn'),
)
cartpole_qrdqn_create_config = EasyDict(cartpole_qrdqn_create_config)
create_config = cartpole_qrdqn_create_config
