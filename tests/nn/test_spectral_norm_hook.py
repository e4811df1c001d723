"""nn.utils.spectral_norm / remove_spectral_norm (PyTorch's hook API) against torch 2.13: the
parameter and buffer names, the weight, u and v after each training forward from the same
weight_orig, u and v (loaded through state_dict), eval mode, gradients, an Adam trajectory,
removal and PyTorch's errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, mt, tt

import mlplab
import mlplab.nn as nn

TU = torch.nn.utils
TOL = dict(atol=1e-12, rtol=1e-10)
X = np.random.default_rng(1).normal(size=(5, 3))


def _pair(name="weight", **kw):
    t = TU.spectral_norm(torch.nn.Linear(3, 4).double(), name=name, **kw)
    m = nn.utils.spectral_norm(nn.Linear(3, 4).double(), name=name, **kw)
    m.load_state_dict({k: v.detach().numpy().copy() for k, v in t.state_dict().items()})
    return m, t


def _step(m, t, seed):
    xm, xt = mt(X, True), tt(X, True)
    ym, yt = m(xm), t(xt)
    assert_close(ym, yt, what="output", **TOL)
    g = np.random.default_rng(seed).normal(size=tuple(yt.shape))
    ym.backward(mlplab.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xm.grad, xt.grad, what="input grad", **TOL)
    for k, p in t.named_parameters():
        assert_close(dict(m.named_parameters())[k].grad, p.grad, what=f"grad of {k}", **TOL)
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, **TOL)


@pytest.mark.parametrize("kw", [{}, {"n_power_iterations": 3}, {"dim": 1}, {"name": "bias"}])
def test_spectral_norm_hook_api_follows_torch_forward_by_forward(kw):
    m, t = _pair(**kw)
    assert repr(m) == repr(t)
    name = kw.get("name", "weight")
    assert list(m.state_dict()) == list(t.state_dict())
    assert (
        [k for k, _ in m.named_buffers()] == [k for k, _ in t.named_buffers()] == [f"{name}_u", f"{name}_v"]
    )
    for step in range(3):
        m.zero_grad()
        t.zero_grad()
        _step(m, t, step)
    m.eval()
    t.eval()
    u = m.state_dict()[f"{name}_u"].numpy().copy()
    _step(m, t, 7)
    assert np.array_equal(m.state_dict()[f"{name}_u"].numpy(), u)


def test_training_and_removal_follow_torch():
    m, t = _pair()
    om, ot = mlplab.optim.Adam(m.parameters(), lr=0.05), torch.optim.Adam(t.parameters(), lr=0.05)
    y = np.random.default_rng(5).normal(size=(5, 4))
    for _ in range(4):
        for lib, mod, opt in ((mlplab, m, om), (torch, t, ot)):
            opt.zero_grad()
            ((mod(lib.tensor(X)) - lib.tensor(y)) ** 2).mean().backward()
            opt.step()
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, atol=1e-10, rtol=1e-9)
    assert nn.utils.remove_spectral_norm(m) is m
    TU.remove_spectral_norm(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert type(m.weight) is nn.Parameter and not m._has_hooks
    assert_close(m.weight, t.weight, **TOL)


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def test_errors_are_torchs():
    m, t = nn.utils.spectral_norm(nn.Linear(3, 4)), TU.spectral_norm(torch.nn.Linear(3, 4))
    cases = [
        (lambda: nn.utils.spectral_norm(m), lambda: TU.spectral_norm(t)),
        (
            lambda: nn.utils.spectral_norm(nn.Linear(3, 4), n_power_iterations=0),
            lambda: TU.spectral_norm(torch.nn.Linear(3, 4), n_power_iterations=0),
        ),
        (
            lambda: nn.utils.remove_spectral_norm(nn.Linear(3, 4)),
            lambda: TU.remove_spectral_norm(torch.nn.Linear(3, 4)),
        ),
        (
            lambda: nn.utils.spectral_norm(nn.Linear(3, 4), name="foo"),
            lambda: TU.spectral_norm(torch.nn.Linear(3, 4), name="foo"),
        ),
        (lambda: nn.utils.spectral_norm(nn.LazyLinear(3)), lambda: TU.spectral_norm(torch.nn.LazyLinear(3))),
    ]
    for fm, ft in cases:
        assert _err(fm) == _err(ft)


def test_signatures_are_torchs():
    def sig(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert sig(nn.utils.spectral_norm) == sig(TU.spectral_norm)
    assert sig(nn.utils.remove_spectral_norm) == sig(TU.remove_spectral_norm)


def test_parametrize_cached_computes_each_weight_once_as_torch():
    from mlplab.nn.utils import parametrizations as P
    from mlplab.nn.utils import parametrize

    t = TU.parametrizations.spectral_norm(torch.nn.Linear(3, 4).double())
    m = P.spectral_norm(nn.Linear(3, 4).double())
    m.load_state_dict({k: v.detach().numpy().copy() for k, v in t.state_dict().items()})
    with parametrize.cached(), TU.parametrize.cached():
        wm, wt = m.weight, t.weight
        assert m.weight is wm and t.weight is wt
        for _ in range(3):  # the power iteration ran once, at the first access
            m(mt(X))
            t(tt(X))
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, **TOL)
    assert m.weight is not wm  # outside the block: computed (and iterated) on every access
