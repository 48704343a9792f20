"""A2C's optimizer choice: DI-engine's Adam by default, RMSprop (the A2C paper's and SB3's) when asked."""
from __future__ import annotations

import pytest
import torch

from configs import SEARCH_PATH
from ding_lite.config import ConfigError
from ding_lite.config.loader import load_config_file
from ding_lite.pipeline.tree import compile_run_config
from ding_lite.policy.a2c import A2CPolicy
from ding_lite.torch_utils.optim import Adam, RMSprop


def a2c(**learn) -> A2CPolicy:
    main, create, _ = load_config_file("cartpole_a2c_config.py", SEARCH_PATH)
    main["policy"]["learn"].update(learn)
    return A2CPolicy(compile_run_config(main, create, A2CPolicy)["policy"], seed=0)


def test_rmsprop_steps_as_torchs_rmsprop_and_is_the_checkpointed_optimizer():
    policy = a2c(optimizer="rmsprop", eps=1e-5, learning_rate=7e-4)
    assert isinstance(policy.optimizer, RMSprop) and policy.learn_modules()["optimizer"] is policy.optimizer
    params = list(policy.model.parameters())
    reference = [p.detach().clone().requires_grad_(True) for p in params]
    torch_rms = torch.optim.RMSprop(reference, lr=7e-4, alpha=0.99, eps=1e-5)
    gen = torch.Generator().manual_seed(0)
    batch = {"obs": torch.randn(40, 4, generator=gen), "action": torch.randint(0, 2, (40,), generator=gen),
             "adv": torch.randn(40, generator=gen), "value": torch.randn(40, generator=gen)}
    for _ in range(3):
        policy.learn_step(batch)
        for ref, own in zip(reference, params):  # the same (clipped) gradient, stepped by torch's RMSprop
            ref.grad = own.grad.clone()
        torch_rms.step()
    for own, ref in zip(policy.model.parameters(), reference):
        assert torch.allclose(own, ref, atol=1e-6)
    assert "square_avg" in policy.optimizer.state_dict()


def test_adam_stays_the_default_and_betas_with_rmsprop_are_refused():
    assert isinstance(a2c().optimizer, Adam)
    with pytest.raises(ConfigError, match=r"policy\.learn\.betas.*rmsprop"):
        a2c(optimizer="rmsprop", betas=(0.5, 0.9))
