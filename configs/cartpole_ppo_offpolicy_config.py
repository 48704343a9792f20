from easydict import EasyDict

# Off-policy PPO on CartPole-v0 with DI-engine's settings: each collect of 128 transitions joins a FIFO of
# 5,000, and 6 minibatches of 64 are drawn from the whole FIFO after each collect (train with
# entry.serial_offpolicy, as DI-engine does).
cartpole_ppo_offpolicy_config = dict(
    exp_name='cartpole_ppo_offpolicy',
    env=dict(
        env_id='CartPole-v0',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=5,
        stop_value=195,
    ),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(
            obs_shape=4,
            action_shape=2,
            action_space='discrete',
            encoder_hidden_size_list=[64, 64, 128],
            critic_head_hidden_size=128,
            actor_head_hidden_size=128,
        ),
        learn=dict(
            update_per_collect=6,
            batch_size=64,
            learning_rate=0.001,
            value_weight=0.5,
            entropy_weight=0.01,
            clip_ratio=0.2,
            learner=dict(hook=dict(save_ckpt_after_iter=1000)),
        ),
        collect=dict(
            n_sample=128,
            discount_factor=0.9,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=40, ), ),
        other=dict(replay_buffer=dict(replay_buffer_size=5000)),
    ),
)
cartpole_ppo_offpolicy_config = EasyDict(cartpole_ppo_offpolicy_config)
main_config = cartpole_ppo_offpolicy_config
cartpole_ppo_offpolicy_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo_offpolicy'),
)
create_config = EasyDict(cartpole_ppo_offpolicy_create_config)
