"""BDQ (3 branches of 4 bins, env.action_bins_per_branch) on Hopper, written for ding_lite's tests in DI-engine's
config-file format (DI-engine's Hopper-v3 id, mapped to Hopper-v5 with a note)."""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_bdq_hopper',
    env=dict(env_id='Hopper-v3', stop_value=6000, collector_env_num=4, evaluator_env_num=2, n_evaluator_episode=2,
             action_bins_per_branch=4),
    policy=dict(
        cuda=False,
        discount_factor=0.99,
        nstep=3,
        model=dict(obs_shape=11, num_branches=3, action_bins_per_branch=4, encoder_hidden_size_list=[64, 64]),
        collect=dict(n_sample=16),
        learn=dict(update_per_collect=2, batch_size=64, learning_rate=3e-4, target_update_freq=50),
        eval=dict(evaluator=dict(eval_freq=1000)),
        other=dict(
            eps=dict(type='exp', start=1.0, end=0.05, decay=10000),
            replay_buffer=dict(replay_buffer_size=20000),
        ),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='bdq'),
    env_manager=dict(type='base'),
    env=dict(type='mujoco', import_names=['dizoo.mujoco.envs.mujoco_env']),
))
