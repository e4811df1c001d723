"""Weight normalisation (the hook API nn.utils.weight_norm / remove_weight_norm and
parametrizations.weight_norm), spectral normalisation (parametrizations.spectral_norm) and
parametrize.register_parametrization against torch 2.13: parameters and state_dict keys, reprs,
values and gradients from the same weights, the power iteration's u and v buffers step by step in
training and eval mode, training trajectories, removal, float64 gradcheck and PyTorch's errors."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, check_grad, mt, tt

import mlplab
import mlplab.nn as nn
from mlplab.nn.utils import parametrizations as P
from mlplab.nn.utils import parametrize
from mlplab.nn.utils.weight_norm import _weight_norm

TU = torch.nn.utils
TOL = dict(atol=1e-12, rtol=1e-10)


def _copy_into(m, t):
    m.load_state_dict({k: v.detach().numpy().copy() for k, v in t.state_dict().items()})


def _fwd_bwd(lib, mod, x, seed=0):
    xi = (mt if lib is mlplab else tt)(x, True)
    y = mod(xi)
    g = np.random.default_rng(seed).normal(size=tuple(y.shape))
    y.backward((mlplab.tensor if lib is mlplab else torch.tensor)(g))
    grads = {k: p.grad for k, p in mod.named_parameters()}
    return y, xi.grad, grads


def _same_module(m, t, x, seed=0):
    ym, gxm, gm = _fwd_bwd(mlplab, m, x, seed)
    yt, gxt, gt = _fwd_bwd(torch, t, x, seed)
    assert_close(ym, yt, what="output", **TOL)
    assert_close(gxm, gxt, what="input grad", **TOL)
    assert list(gm) == list(gt)
    for k in gm:
        assert_close(gm[k], gt[k], what=f"grad of {k}", **TOL)


def _linear_pair(n_in=3, n_out=4):
    t = torch.nn.Linear(n_in, n_out).double()
    return nn.Linear(n_in, n_out).double(), t


X = np.random.default_rng(1).normal(size=(5, 3))


# --------------------------------------------------------------------------- hook API
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_hook_api_matches_torch(dim):
    m, t = _linear_pair()
    with pytest.warns(FutureWarning) as wm:
        nn.utils.weight_norm(m, dim=dim)
    with pytest.warns(FutureWarning) as wt:
        TU.weight_norm(t, dim=dim)
    assert str(wm[0].message) == str(wt[0].message)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert tuple(m.weight_g.shape) == tuple(t.weight_g.shape)
    with torch.no_grad():
        t.weight_g.mul_(torch.linspace(0.5, 2.0, t.weight_g.numel()).reshape(t.weight_g.shape))
    _copy_into(m, t)
    _same_module(m, t, X)
    m.zero_grad()
    t.zero_grad()
    _same_module(m, t, X, seed=1)  # recomputed before each forward


@pytest.mark.parametrize("dim", [0, 1, 2, None])
def test_weight_norm_of_a_three_d_weight_matches_torch(dim):
    m, t = nn.Bilinear(3, 2, 4).double(), torch.nn.Bilinear(3, 2, 4).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nn.utils.weight_norm(m, dim=dim)
        TU.weight_norm(t, dim=dim)
    _copy_into(m, t)
    a, b = np.random.default_rng(2).normal(size=(5, 3)), np.random.default_rng(3).normal(size=(5, 2))
    ym, yt = m(mt(a), mt(b)), t(tt(a), tt(b))
    assert_close(ym, yt, what="output", **TOL)
    ym.sum().backward()
    yt.sum().backward()
    for k in ("weight_g", "weight_v", "bias"):
        assert_close(getattr(m, k).grad, getattr(t, k).grad, what=k, **TOL)


def test_weight_norm_gradcheck():
    rng = np.random.default_rng(0)
    for dim in (0, 1, -1):
        g = rng.uniform(0.5, 2, size=(4, 1) if dim == 0 else (1, 3) if dim == 1 else ())
        check_grad(lambda v, g, dim=dim: _weight_norm(v, g, dim), [rng.normal(size=(4, 3)), g])


def test_training_with_weight_norm_follows_torch():
    m, t = _linear_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nn.utils.weight_norm(m)
        TU.weight_norm(t)
    _copy_into(m, t)
    om = mlplab.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    ot = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9)
    y = np.random.default_rng(5).normal(size=(5, 4))
    for _ in range(4):
        for lib, mod, opt in ((mlplab, m, om), (torch, t, ot)):
            opt.zero_grad()
            ((mod(lib.tensor(X)) - lib.tensor(y)) ** 2).mean().backward()
            opt.step()
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, **TOL)


def test_remove_weight_norm_matches_torch():
    m, t = _linear_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nn.utils.weight_norm(m)
        TU.weight_norm(t)
    with torch.no_grad():
        t.weight_g.mul_(3.0)
    _copy_into(m, t)
    assert nn.utils.remove_weight_norm(m) is m
    TU.remove_weight_norm(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert type(m.weight) is nn.Parameter and m._forward_pre_hooks == {} and not m._has_hooks
    assert_close(m.weight, t.weight, **TOL)


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def test_weight_norm_hook_errors_are_torchs():
    warnings.simplefilter("ignore", FutureWarning)
    try:
        m, t = nn.utils.weight_norm(nn.Linear(3, 4)), TU.weight_norm(torch.nn.Linear(3, 4))
        assert _err(lambda: nn.utils.weight_norm(m)) == _err(lambda: TU.weight_norm(t))
        assert _err(lambda: nn.utils.remove_weight_norm(nn.Linear(3, 4))) == _err(
            lambda: TU.remove_weight_norm(torch.nn.Linear(3, 4))
        )
        assert _err(lambda: nn.utils.weight_norm(nn.Linear(3, 4), name="foo")) == _err(
            lambda: TU.weight_norm(torch.nn.Linear(3, 4), name="foo")
        )
        assert _err(lambda: nn.utils.weight_norm(nn.LazyLinear(3))) == _err(
            lambda: TU.weight_norm(torch.nn.LazyLinear(3))
        )
    finally:
        warnings.resetwarnings()


# --------------------------------------------------------------------------- parametrizations
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrized_weight_norm_matches_torch(dim):
    m, t = _linear_pair()
    P.weight_norm(m, dim=dim)
    TU.parametrizations.weight_norm(t, dim=dim)
    assert repr(m) == repr(t)
    assert type(m).__name__ == type(t).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    keys = ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert list(m.state_dict()) == list(t.state_dict()) == keys
    assert tuple(m.parametrizations.weight.original0.shape) == tuple(
        t.parametrizations.weight.original0.shape
    )
    with torch.no_grad():
        t.parametrizations.weight.original0.mul_(1.7)
    _copy_into(m, t)
    _same_module(m, t, X)
    w = np.random.default_rng(4).normal(size=(4, 3))
    m.weight = mlplab.tensor(w)  # right_inverse: g = ||w||, v = w
    t.weight = torch.tensor(w)
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, **TOL)
    assert_close(m.weight, t.weight, **TOL)


def test_remove_parametrizations_matches_torch():
    m, t = _linear_pair()
    P.weight_norm(m)
    TU.parametrizations.weight_norm(t)
    with torch.no_grad():
        t.parametrizations.weight.original0.mul_(2.0)
    _copy_into(m, t)
    parametrize.remove_parametrizations(m, "weight")
    TU.parametrize.remove_parametrizations(t, "weight")
    assert type(m) is nn.Linear and repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert_close(m.weight, t.weight, **TOL)
    assert not parametrize.is_parametrized(m)


class _MSym(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


class _TSym(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


def test_register_parametrization_matches_torch():
    m, t = _linear_pair(3, 3)
    opt = mlplab.optim.SGD(m.parameters(), lr=0.1)  # built before: the original keeps its identity
    w_before = m.weight
    parametrize.register_parametrization(m, "weight", _MSym())
    TU.parametrize.register_parametrization(t, "weight", _TSym())
    assert m.parametrizations.weight.original is w_before
    assert repr(m).replace("_MSym", "_TSym") == repr(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "parametrizations.weight.original"]
    _copy_into(m, t)
    _same_module(m, t, X)
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias") and not parametrize.is_parametrized(nn.Linear(2, 2))
    opt.step()  # moves the original, and so the parametrized weight
    assert not np.allclose(
        m.parametrizations.weight.original.detach().numpy(),
        t.parametrizations.weight.original.detach().numpy(),
    )
    parametrize.register_parametrization(m, "weight", _MSym())  # chained: Sym(Sym(X))
    assert len(m.parametrizations.weight) == 2
    w = m.weight.detach().numpy()
    assert np.allclose(w, w.T)


def test_register_parametrization_errors_are_torchs():
    class MFirstRow(nn.Module):
        def forward(self, x):
            return x[0]

    class TFirstRow(torch.nn.Module):
        def forward(self, x):
            return x[0]

    class MDouble(nn.Module):
        def forward(self, x):
            return x.double()

    class TDouble(torch.nn.Module):
        def forward(self, x):
            return x.double()

    for mp, tp in ((MFirstRow(), TFirstRow()), (MDouble(), TDouble())):
        got = _err(lambda mp=mp: parametrize.register_parametrization(nn.Linear(3, 3), "weight", mp))
        want = _err(
            lambda tp=tp: TU.parametrize.register_parametrization(torch.nn.Linear(3, 3), "weight", tp)
        )
        assert got == want
    assert _err(lambda: parametrize.register_parametrization(nn.Linear(3, 3), "foo", _MSym())) == _err(
        lambda: TU.parametrize.register_parametrization(torch.nn.Linear(3, 3), "foo", _TSym())
    )
    assert _err(lambda: parametrize.remove_parametrizations(nn.Linear(3, 4), "weight")) == _err(
        lambda: TU.parametrize.remove_parametrizations(torch.nn.Linear(3, 4), "weight")
    )
    m, t = P.weight_norm(nn.Linear(3, 4)), TU.parametrizations.weight_norm(torch.nn.Linear(3, 4))
    assert _err(lambda: parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)) == _err(
        lambda: TU.parametrize.remove_parametrizations(t, "weight", leave_parametrized=False)
    )


# --------------------------------------------------------------------------- spectral norm
def _spectral_pair(n_in=3, n_out=4, **kw):
    t = TU.parametrizations.spectral_norm(torch.nn.Linear(n_in, n_out).double(), **kw)
    m = P.spectral_norm(nn.Linear(n_in, n_out).double(), **kw)
    _copy_into(m, t)  # the same weight and the same u, v
    return m, t


@pytest.mark.parametrize("kw", [{}, {"n_power_iterations": 3}, {"dim": 1}, {"eps": 1e-3}])
def test_spectral_norm_follows_torchs_power_iteration_step_by_step(kw):
    m, t = _spectral_pair(**kw)
    assert repr(m) == repr(t)
    keys = [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0._u",
        "parametrizations.weight.0._v",
    ]
    assert list(m.state_dict()) == list(t.state_dict()) == keys
    for step in range(3):  # training mode: u and v move on every forward
        m.zero_grad()
        t.zero_grad()
        _same_module(m, t, X, seed=step)
        for k, v in t.state_dict().items():
            assert_close(m.state_dict()[k], v, what=f"{k} after forward {step}", **TOL)
    m.eval()
    t.eval()
    u = m.parametrizations.weight[0]._u.detach().numpy().copy()
    _same_module(m, t, X)
    assert np.array_equal(m.parametrizations.weight[0]._u.detach().numpy(), u)  # eval: fixed


def test_spectral_norm_makes_the_largest_singular_value_one():
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    v, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    w0 = u @ np.diag([3.0, 1.5, 1.0, 0.5, 0.2]) @ v[:5]  # singular values 3, 1.5, ...
    m = P.spectral_norm(nn.Linear(6, 5).double())
    m.weight = mlplab.tensor(w0)
    for _ in range(30):
        w = m.weight
    assert abs(np.linalg.svd(w.detach().numpy(), compute_uv=False)[0] - 1) < 1e-6


def test_spectral_norm_of_a_vector_and_training_match_torch():
    t = TU.parametrizations.spectral_norm(torch.nn.Linear(3, 4).double(), name="bias")
    m = P.spectral_norm(nn.Linear(3, 4).double(), name="bias")
    _copy_into(m, t)
    _same_module(m, t, X)
    m, t = _spectral_pair()
    om, ot = mlplab.optim.Adam(m.parameters(), lr=0.05), torch.optim.Adam(t.parameters(), lr=0.05)
    y = np.random.default_rng(5).normal(size=(5, 4))
    for _ in range(4):
        for lib, mod, opt in ((mlplab, m, om), (torch, t, ot)):
            opt.zero_grad()
            ((mod(lib.tensor(X)) - lib.tensor(y)) ** 2).mean().backward()
            opt.step()
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, what=k, atol=1e-10, rtol=1e-9)


def test_spectral_norm_errors_are_torchs():
    assert _err(lambda: P.spectral_norm(nn.Linear(3, 4), name="foo")) == _err(
        lambda: TU.parametrizations.spectral_norm(torch.nn.Linear(3, 4), name="foo")
    )
    assert _err(lambda: P.spectral_norm(nn.Linear(3, 4), dim=2)) == _err(
        lambda: TU.parametrizations.spectral_norm(torch.nn.Linear(3, 4), dim=2)
    )


def test_signatures_are_torchs():
    def sig(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    pairs = [
        (nn.utils.weight_norm, TU.weight_norm),
        (nn.utils.remove_weight_norm, TU.remove_weight_norm),
        (P.weight_norm, TU.parametrizations.weight_norm),
        (P.spectral_norm, TU.parametrizations.spectral_norm),
        (parametrize.register_parametrization, TU.parametrize.register_parametrization),
        (parametrize.remove_parametrizations, TU.parametrize.remove_parametrizations),
        (parametrize.is_parametrized, TU.parametrize.is_parametrized),
    ]
    for a, b in pairs:
        assert sig(a) == sig(b), a.__name__
