from easydict import EasyDict

# REINFORCE on CartPole-v0: whole episodes per collect (episode collector), Monte-Carlo discounted
# returns within each episode, no baseline (DI-engine's PG). Same values as DI-engine's dizoo file
# except eval_freq (evaluating more often stops the run sooner once it is solved).
cartpole_pg_config = dict(
    exp_name='cartpole_pg',
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
            batch_size=64,
            learning_rate=0.001,
            entropy_weight=0.001,
            baseline='none',
            learner=dict(hook=dict(save_ckpt_after_iter=500)),
        ),
        collect=dict(n_episode=80, unroll_len=1, discount_factor=0.9),
        eval=dict(evaluator=dict(eval_freq=20, ), ),
    ),
)
cartpole_pg_config = EasyDict(cartpole_pg_config)
main_config = cartpole_pg_config
cartpole_pg_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='pg'),
    collector=dict(type='episode'),
)
cartpole_pg_create_config = EasyDict(cartpole_pg_create_config)
create_config = cartpole_pg_create_config
