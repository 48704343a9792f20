from easydict import EasyDict

# A2C on CartPole-v0 with DI-engine's cartpole_a2c settings: one pass of minibatches of 40 over each
# collect of 80 transitions, GAE lambda 0.95 with A2C's default gamma 0.9, entropy bonus 0.01.
# A solve is judged on 20 evaluation episodes (10 envs), not 5: with 5 the solving checkpoint (16,000 env steps)
# averaged 189.2 over 50 fresh episodes; with 20 it stops at 18,000 and averages 198.8 (bench/solve_holds.py, seed 0).
cartpole_a2c_config = dict(
    exp_name='cartpole_a2c',
    env=dict(
        env_id='CartPole-v0',
        collector_env_num=8,
        evaluator_env_num=10,
        n_evaluator_episode=20,
        stop_value=195,
    ),
    policy=dict(
        cuda=False,
        action_space='discrete',
        model=dict(
            obs_shape=4,
            action_shape=2,
            action_space='discrete',
            encoder_hidden_size_list=[128, 128, 64],
            actor_head_hidden_size=128,
            critic_head_hidden_size=128,
        ),
        learn=dict(
            batch_size=40,
            learning_rate=0.001,
            entropy_weight=0.01,
            learner=dict(hook=dict(save_ckpt_after_iter=200)),
        ),
        collect=dict(
            n_sample=80,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=50, ), ),
    ),
)
cartpole_a2c_config = EasyDict(cartpole_a2c_config)
main_config = cartpole_a2c_config
cartpole_a2c_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='a2c'),
)
create_config = EasyDict(cartpole_a2c_create_config)
