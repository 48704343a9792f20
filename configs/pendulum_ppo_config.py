from easydict import EasyDict

# PPO with a Gaussian policy on Pendulum-v1 (1 continuous action in [-2, 2]).
# - action bounds: actions are sampled unbounded (log-probs stay exact) and *clipped* to the env's
#   bounds when stepping (learn.action_bound='clip'); eval acts with the clipped mean.
# - log-std: state-independent parameter (model.sigma_type='independent'), starting at 0 (std 1).
# - observations are normalised with running mean/std (policy.obs_norm); the statistics are part of
#   every checkpoint, so a resumed or evaluated policy sees the inputs it was trained on.
pendulum_ppo_config = dict(
    exp_name='pendulum_ppo',
    env=dict(
        env_id='Pendulum-v1',
        collector_env_num=8,
        evaluator_env_num=5,
        n_evaluator_episode=10,
        stop_value=-250,
    ),
    max_env_step=200000,
    policy=dict(
        cuda=False,
        action_space='continuous',
        obs_norm=True,
        recompute_adv=False,  # tuned without DI-engine's per-epoch advantages and return normalisation
        model=dict(
            obs_shape=3,
            action_shape=1,
            action_space='continuous',
            encoder_hidden_size_list=[64, 64],
            actor_head_hidden_size=64,
            critic_head_hidden_size=64,
            share_encoder=False,
            sigma_type='independent',
            init_log_std=0.0,
        ),
        learn=dict(
            epoch_per_collect=10,
            batch_size=64,
            learning_rate=3e-4,
            value_weight=0.5,
            entropy_weight=0.0,
            clip_ratio=0.2,
            grad_clip_value=0.5,
            action_bound='clip',
            value_norm=False,
            learner=dict(hook=dict(save_ckpt_after_iter=3200)),
        ),
        collect=dict(
            n_sample=2048,
            unroll_len=1,
            discount_factor=0.99,
            gae_lambda=0.95,
        ),
        eval=dict(evaluator=dict(eval_freq=320, ), ),
    ),
)
pendulum_ppo_config = EasyDict(pendulum_ppo_config)
main_config = pendulum_ppo_config
pendulum_ppo_create_config = dict(
    env=dict(type='pendulum'),
    env_manager=dict(type='base'),
    policy=dict(type='ppo'),
)
pendulum_ppo_create_config = EasyDict(pendulum_ppo_create_config)
create_config = pendulum_ppo_create_config
