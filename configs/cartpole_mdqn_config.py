from easydict import EasyDict

# Munchausen DQN on CartPole-v0, tuned for few env steps and little wall time: DQN's shipped settings (one
# 128-wide layer, 6 updates per 8 transitions, soft target updates) with DI-engine's entropy_tau and m_alpha.
cartpole_mdqn_config = dict(
    exp_name='cartpole_mdqn',
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
        entropy_tau=0.03,
        m_alpha=0.9,
        learn=dict(
            update_per_collect=6,
            batch_size=64,
            learning_rate=0.001,
            target_update_freq=0,
            target_theta=0.02,
            learner=dict(hook=dict(save_ckpt_after_iter=1000)),
        ),
        collect=dict(n_sample=8),
        eval=dict(evaluator=dict(eval_freq=50, )),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=10000),
            replay_buffer=dict(type='uniform', 
                replay_buffer_size=20000,
            ),
        ),
    ),
)
cartpole_mdqn_config = EasyDict(cartpole_mdqn_config)
main_config = cartpole_mdqn_config
cartpole_mdqn_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='mdqn'),
)
cartpole_mdqn_create_config = EasyDict(cartpole_mdqn_create_config)
create_config = cartpole_mdqn_create_config
