from easydict import EasyDict

# PPO with ST-DIM's auxiliary contrastive loss on CartPole-v0: PPO's shipped settings (256 transitions per
# collect, 10 epochs of 64) plus the InfoNCE loss on the shared encoder at DI-engine's weight 0.003.

cartpole_ppo_stdim_config = dict(
    exp_name='cartpole_ppo_stdim',
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
        aux_model=dict(encode_shape=64, heads=[1, 1], loss_type='infonce', temperature=1.0),
        aux_loss_weight=0.003,
        learn=dict(
            epoch_per_collect=10,
            batch_size=64,
            learning_rate=0.001,
            value_weight=0.5,
            entropy_weight=0.0,
            clip_ratio=0.2,
            value_norm=False,
            learner=dict(hook=dict(load_ckpt_before_run='', save_ckpt_after_iter=200)),
            resume_training=False,
        ),
        collect=dict(
            n_sample=256,
            unroll_len=1,
            discount_factor=0.99,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=40, ), ),
    ),
)
cartpole_ppo_stdim_config = EasyDict(cartpole_ppo_stdim_config)
main_config = cartpole_ppo_stdim_config
cartpole_ppo_stdim_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo_stdim'),
)
create_config = EasyDict(cartpole_ppo_stdim_create_config)
