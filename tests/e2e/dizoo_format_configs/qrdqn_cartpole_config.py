"""QR-DQN (32 quantiles, quantile Huber loss) on CartPole, written for ding_lite's tests in DI-engine's config-file format.

Besides the policy's own keys it sets what DI-engine's dizoo files set around them: an eval video dir
(``env.replay_path``), the checkpoint its eval entry loads (``policy.load_path``), and a
``create_config.replay_buffer`` naming DI-engine's buffer class.
"""
from easydict import EasyDict

main_config = EasyDict(dict(
    exp_name='lite_qrdqn_cartpole',
    env=dict(stop_value=195, collector_env_num=8, evaluator_env_num=5, n_evaluator_episode=5,
             replay_path='lite_qrdqn_cartpole/video'),
    policy=dict(
        cuda=False,
        load_path='lite_qrdqn_cartpole/ckpt/ckpt_best.pth.tar',
        discount_factor=0.97,
        nstep=3,
        model=dict(obs_shape=4, action_shape=2, encoder_hidden_size_list=[128], num_quantiles=32),
        collect=dict(n_sample=8),
        learn=dict(update_per_collect=6, batch_size=64, learning_rate=1e-3, target_update_freq=0, target_theta=0.02, kappa=1.0),
        eval=dict(evaluator=dict(eval_freq=50)),
        other=dict(
            eps=dict(type='exp', start=0.95, end=0.1, decay=10000),
            replay_buffer=dict(replay_buffer_size=20000),
        ),
    ),
))

create_config = EasyDict(dict(
    policy=dict(type='qrdqn'),
    env_manager=dict(type='base'),
    env=dict(type='cartpole', import_names=['dizoo.classic_control.cartpole.envs.cartpole_env']),
    replay_buffer=dict(type='deque', import_names=['ding.data.buffer.deque_buffer_wrapper']),
))
