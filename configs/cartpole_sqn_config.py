from easydict import EasyDict

# SQN (twin Q-networks, soft targets, learned temperature) on CartPole-v0. The sampling schedule is DI-engine's
# (uniform actions for the first ~1,000 updates, then softmax(Q / alpha)), so the run is short in updates rather
# than env steps: 8 updates per 16 transitions, one 128-wide layer per Q-network.
cartpole_sqn_config = dict(
    exp_name='cartpole_sqn',
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
            dueling=True,
        ),
        learn=dict(
            update_per_collect=8,
            batch_size=64,
            learning_rate_q=0.001,
            learning_rate_alpha=0.001,
            alpha=0.2,
            target_entropy=0.2,
            discount_factor=0.99,
            learner=dict(hook=dict(save_ckpt_after_iter=1000)),
        ),
        collect=dict(n_sample=16),
        eval=dict(evaluator=dict(eval_freq=50, )),
        other=dict(
            eps=dict(type='exp', start=1.0, end=0.8, decay=2000),
            replay_buffer=dict(type='uniform', 
                replay_buffer_size=10000,
            ),
        ),
    ),
)
cartpole_sqn_config = EasyDict(cartpole_sqn_config)
main_config = cartpole_sqn_config
cartpole_sqn_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='sqn'),
)
cartpole_sqn_create_config = EasyDict(cartpole_sqn_create_config)
create_config = cartpole_sqn_create_config
