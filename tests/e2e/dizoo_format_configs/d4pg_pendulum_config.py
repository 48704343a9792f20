"""D4PG (categorical critic, n-step, prioritized replay) on Pendulum, written for ding_lite's tests in DI-engine's
config-file format, with the policy-level discount_factor that DI-engine's D4PG files set and its D4PG ignores."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_d4pg_pendulum',
    env=dict(stop_value=-250, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5, act_scale=True),
    policy=dict(
        cuda=False,
        priority=True,
        nstep=3,
        discount_factor=0.995,
        random_collect_size=200,
        model=dict(obs_shape=3, action_shape=1, action_space='regression', v_min=-100, v_max=100, n_atom=51,
                   critic_head_type='categorical', actor_head_hidden_size=64, critic_head_hidden_size=64),
        learn=dict(update_per_collect=2, batch_size=64, learning_rate_actor=1e-3, learning_rate_critic=1e-3),
        collect=dict(n_sample=16, noise_sigma=0.1),
        eval=dict(evaluator=dict(eval_freq=1000)),
        other=dict(replay_buffer=dict(replay_buffer_size=20000)),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='d4pg'),
    env_manager=dict(type='base'),
    env=dict(type='pendulum', import_names=['dizoo.classic_control.pendulum.envs.pendulum_env']),
))
