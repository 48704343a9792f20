from easydict import EasyDict

# PPO-PG on CartPole-v0: whole episodes per collect (episode collector), PPO's clipped loss on their
# Monte-Carlo returns, tuned for few env steps and little wall time: 16 episodes per collect, gamma 0.99, the
# batch's mean return as baseline and normalised advantages (ding_lite's PG keys), 4 epochs of 256 steps.
cartpole_ppo_pg_config = dict(
    exp_name='cartpole_ppo_pg',
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
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            epoch_per_collect=4,
            batch_size=256,
            learning_rate=0.003,
            entropy_weight=0.001,
            clip_ratio=0.2,
            baseline='mean',
            adv_norm=True,
            learner=dict(hook=dict(save_ckpt_after_iter=500)),
        ),
        collect=dict(n_episode=16, unroll_len=1, discount_factor=0.99),
        eval=dict(evaluator=dict(eval_freq=20, ), ),
    ),
)
cartpole_ppo_pg_config = EasyDict(cartpole_ppo_pg_config)
main_config = cartpole_ppo_pg_config
cartpole_ppo_pg_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo_pg'),
    collector=dict(type='episode'),
)
cartpole_ppo_pg_create_config = EasyDict(cartpole_ppo_pg_create_config)
create_config = cartpole_ppo_pg_create_config
