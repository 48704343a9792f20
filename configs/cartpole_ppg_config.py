from easydict import EasyDict

# PPG on CartPole-v0 with DI-engine's cartpole_ppg settings: 5 policy-phase updates per collect of 128,
# drawn from a policy buffer (the newest 100) and a value buffer (all 128), and an auxiliary phase of 6
# epochs every 5 updates (train with entry.serial_offpolicy).
cartpole_ppg_config = dict(
    exp_name='cartpole_ppg',
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
            encoder_hidden_size_list=[64, 64, 128],
            critic_head_hidden_size=128,
            actor_head_hidden_size=128,
            actor_head_layer_num=1,
        ),
        learn=dict(
            update_per_collect=5,
            batch_size=64,
            learning_rate=0.001,
            value_weight=0.5,
            entropy_weight=0.01,
            clip_ratio=0.2,
            aux_freq=5,
            aux_train_epoch=6,
        ),
        collect=dict(
            n_sample=128,
            discount_factor=0.9,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=40, )),
        other=dict(replay_buffer=dict(
            policy=dict(replay_buffer_size=100),
            value=dict(replay_buffer_size=1000),
        )),
    ),
)
cartpole_ppg_config = EasyDict(cartpole_ppg_config)
main_config = cartpole_ppg_config
cartpole_ppg_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='ppg_offpolicy'),
)
create_config = EasyDict(cartpole_ppg_create_config)
