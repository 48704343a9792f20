"""Q heads: each head's Q values from its own outputs, noise from the policy's generator."""
from __future__ import annotations

import pytest
import torch

from ding_lite.model.common.noisy import NoisyLinear
from ding_lite.model.q_network import QNetwork


def test_distribution_head_q_is_the_expected_return_over_the_support():
    net = QNetwork(4, 3, encoder_hidden_size_list=[8], head="distribution", n_atom=5, v_min=-2, v_max=2,
                   dueling=False)
    obs = torch.randn(6, 4)
    probs = torch.softmax(net.dist_logits(obs), -1)
    assert probs.shape == (6, 3, 5)
    torch.testing.assert_close(net.q_values(obs), (probs * torch.linspace(-2, 2, 5)).sum(-1))


def test_quantile_head_q_is_the_mean_quantile():
    net = QNetwork(4, 2, encoder_hidden_size_list=[8], head="qrdqn", num_quantiles=7, dueling=False)
    obs = torch.randn(3, 4)
    assert net.quantiles(obs).shape == (3, 2, 7)
    torch.testing.assert_close(net.q_values(obs), net.quantiles(obs).mean(-1))


def test_iqn_acts_on_evenly_spaced_fractions():
    net = QNetwork(4, 2, encoder_hidden_size_list=[8], head="quantile", num_quantiles=4, quantile_embedding_size=6,
                   dueling=False)
    obs = torch.randn(3, 4)
    taus = torch.tensor([0.125, 0.375, 0.625, 0.875]).expand(3, 4)
    assert net.quantiles(obs, taus).shape == (3, 4, 2)
    torch.testing.assert_close(net.q_values(obs), net.quantiles(obs, taus).mean(1))


def test_noise_comes_from_the_generator_and_eval_uses_the_mean_weights():
    layer = NoisyLinear(3, 2)
    x = torch.randn(5, 3)
    layer.reset_noise(torch.Generator().manual_seed(1))
    noisy = layer(x)
    layer.reset_noise(torch.Generator().manual_seed(1))
    assert torch.equal(layer(x), noisy)
    layer.eval()
    torch.testing.assert_close(layer(x), x @ layer.weight_mu.T + layer.bias_mu)
    assert not torch.allclose(layer(x), noisy)


def test_legacy_dqn_parameter_names_are_upgraded():
    net = QNetwork(4, 2, encoder_hidden_size_list=[8], dueling=True)
    old_names = {k.removeprefix("head."): v for k, v in net.state_dict().items()}
    assert set(net.upgrade_state_dict(old_names)) == set(net.state_dict())


@pytest.mark.parametrize("n_atom", [1, 0])
def test_c51_needs_two_atoms(n_atom, tmp_path):
    from ding_lite.config import ConfigError
    from tests.unit.test_policy_contract import compiled_policy

    with pytest.raises(ConfigError, match="'policy.model.n_atom' must be an int >= 2"):
        compiled_policy("c51", n_atom=n_atom)
