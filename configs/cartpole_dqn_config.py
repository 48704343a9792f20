from easydict import EasyDict

# DQN on CartPole-v0, tuned for few env steps *and* little wall time (ding_lite's target: 195 within
# 1,000 env steps and 5 s launch->exit). Differences from DI-engine's dizoo file (which also runs
# unchanged): one hidden layer of 128 without a dueling head, 6 updates per collect of 8 transitions,
# and a soft target update (target_update_freq=0 -> target_theta) instead of a hard copy every 100.
cartpole_dqn_config = dict(
    exp_name='cartpole_dqn',
    env=dict(
        env_id='CartPole-v0',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=5,
        stop_value=195,
    ),
    policy=dict(
        cuda=False,
        model=dict(
            obs_shape=4,
            action_shape=2,
            encoder_hidden_size_list=[128],
            dueling=False,
        ),
        nstep=1,
        discount_factor=0.97,
        learn=dict(
            update_per_collect=6,
            batch_size=64,
            learning_rate=0.001,
            target_update_freq=0,
            target_theta=0.02,
            double_q=True,
            learner=dict(hook=dict(save_ckpt_after_iter=1000)),
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=50, )),
        other=dict(
            eps=dict(
                type='exp',
                start=0.95,
                end=0.1,
                decay=10000,
            ),
            replay_buffer=dict(type='uniform', 
                replay_buffer_size=20000,
                replay_buffer_start_size=0,  # training starts at max(batch_size, this) transitions
            ),
        ),
    ),
)
cartpole_dqn_config = EasyDict(cartpole_dqn_config)
main_config = cartpole_dqn_config
cartpole_dqn_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='dqn'),
)
cartpole_dqn_create_config = EasyDict(cartpole_dqn_create_config)
create_config = cartpole_dqn_create_config
