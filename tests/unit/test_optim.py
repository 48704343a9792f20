"""Our Adam must be torch's (fused CPU) Adam, step for step, and checkpoint/restore exactly."""
import torch

from ding_lite.torch_utils.optim import Adam, clip_grad_norm_


def _net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))


def _train(model, opt, batches):
    for x in batches:
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()


def test_matches_torch_adam_bit_for_bit():
    batches = [torch.randn(8, 4, generator=torch.Generator().manual_seed(i)) for i in range(30)]
    ours, ref = _net(0), _net(0)
    _train(ours, Adam(ours.parameters(), lr=3e-3), batches)
    _train(ref, torch.optim.Adam(ref.parameters(), lr=3e-3, fused=True), batches)
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert torch.equal(a, b)


def test_state_dict_round_trip_continues_identically():
    batches = [torch.randn(8, 4, generator=torch.Generator().manual_seed(i)) for i in range(20)]
    straight = _net(1)
    opt = Adam(straight.parameters(), lr=1e-2)
    _train(straight, opt, batches)

    first = _net(1)
    opt1 = Adam(first.parameters(), lr=1e-2)
    _train(first, opt1, batches[:10])
    second = _net(7)
    second.load_state_dict(first.state_dict())
    opt2 = Adam(second.parameters(), lr=1e-2)
    opt2.load_state_dict(opt1.state_dict())
    _train(second, opt2, batches[10:])
    for a, b in zip(straight.parameters(), second.parameters()):
        assert torch.equal(a, b)


def test_clip_grad_norm_matches_torch_bit_for_bit():
    for max_norm in (0.05, 0.5, 1e9, float("inf")):
        ours, ref = _net(3), _net(3)
        x = torch.randn(16, 4, generator=torch.Generator().manual_seed(5))
        for model in (ours, ref):
            model(x).pow(2).mean().backward()
        got = clip_grad_norm_(list(ours.parameters()), max_norm)
        want = torch.nn.utils.clip_grad_norm_(ref.parameters(), max_norm)
        assert torch.equal(got, want)
        for a, b in zip(ours.parameters(), ref.parameters()):
            assert torch.equal(a.grad, b.grad)
