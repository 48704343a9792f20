from easydict import EasyDict

# DQN on Pong (PongNoFrameskip-v4 through ale-py) with DI-engine's Atari preprocessing: 1-30 no-op resets,
# frame skip 4 with a max over the last two frames, fire on reset, episodic life and sign-clipped rewards
# for training envs (eval envs play whole games and report the real score), grayscale 84x84, 4 frames
# stacked channel-first. Frames stay uint8 in the envs and the replay buffer; the conv encoder scales them
# to [0, 1] on the device. DI-engine's pong_dqn hyperparameters (its file also runs unchanged), except the
# env manager: 'base' steps the envs in this process, so their emulator state is in every checkpoint and
# kill -9 then --resume latest is bit-identical (DI-engine's 'subprocess' cannot capture it).
pong_dqn_config = dict(
    exp_name='pong_dqn',
    env=dict(
        env_id='PongNoFrameskip-v4',
        collector_env_num=8,
        evaluator_env_num=8,
        n_evaluator_episode=8,
        stop_value=20,
        frame_stack=4,
    ),
    policy=dict(
        cuda=True,  # the GPU when there is one, else the CPU (said once in the log)
        priority=False,
        model=dict(
            obs_shape=[4, 84, 84],
            action_shape=6,
            encoder_hidden_size_list=[128, 128, 512],  # three convolutions (8/4/3, strides 4/2/1), then 512
        ),
        nstep=3,
        discount_factor=0.99,
        learn=dict(
            update_per_collect=10,
            batch_size=32,
            learning_rate=0.0001,
            target_update_freq=500,
        ),
        collect=dict(n_sample=96, ),
        eval=dict(evaluator=dict(eval_freq=4000, )),
        other=dict(
            eps=dict(
                type='exp',
                start=1.,
                end=0.05,
                decay=250000,
            ),
            replay_buffer=dict(type='uniform', 
                replay_buffer_size=100000,  # uint8 frames, next_obs not stored twice
            ),
        ),
    ),
)
pong_dqn_config = EasyDict(pong_dqn_config)
main_config = pong_dqn_config
pong_dqn_create_config = dict(
    env=dict(type='atari'),
    env_manager=dict(type='base'),
    policy=dict(type='dqn'),
)
pong_dqn_create_config = EasyDict(pong_dqn_create_config)
create_config = pong_dqn_create_config
