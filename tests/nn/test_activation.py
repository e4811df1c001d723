"""Activations, module and functional forms, against torch 2.13: values, gradients, gradcheck,
stability at +-1000, repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from nn_helpers import check_grad, mt, parity, strict_numerics

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional

# (name, mlplab functional, torch functional)
ELEMENTWISE = [
    ("sigmoid", lambda x: F.sigmoid(x), lambda x: torch.sigmoid(x)),
    ("tanh", lambda x: F.tanh(x), lambda x: torch.tanh(x)),
    ("relu", lambda x: F.relu(x), lambda x: TF.relu(x)),
    ("leaky_relu", lambda x: F.leaky_relu(x), lambda x: TF.leaky_relu(x)),
    ("leaky_relu_0.2", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("silu", lambda x: F.silu(x), lambda x: TF.silu(x)),
    ("elu", lambda x: F.elu(x), lambda x: TF.elu(x)),
    ("elu_0.5", lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    ("gelu", lambda x: F.gelu(x), lambda x: TF.gelu(x)),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("softplus", lambda x: F.softplus(x), lambda x: TF.softplus(x)),
    (
        "softplus_b2_t5",
        lambda x: F.softplus(x, beta=2, threshold=5),
        lambda x: TF.softplus(x, beta=2, threshold=5),
    ),
    ("softmax0", lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0)),
    ("softmax1", lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1)),
    ("softmax-1", lambda x: x.softmax(-1), lambda x: x.softmax(-1)),
    ("log_softmax1", lambda x: F.log_softmax(x, 1), lambda x: TF.log_softmax(x, 1)),
    ("log_softmax0", lambda x: x.log_softmax(0), lambda x: x.log_softmax(0)),
]

MODULES = [
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.3), lambda: torch.nn.LeakyReLU(0.3)),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.ELU(alpha=2.0), lambda: torch.nn.ELU(alpha=2.0)),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.Softplus(beta=0.5, threshold=10), lambda: torch.nn.Softplus(beta=0.5, threshold=10)),
    (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    (lambda: nn.LogSoftmax(dim=1), lambda: torch.nn.LogSoftmax(dim=1)),
    (lambda: nn.PReLU(), lambda: torch.nn.PReLU()),
    (lambda: nn.PReLU(num_parameters=4, init=0.1), lambda: torch.nn.PReLU(num_parameters=4, init=0.1)),
]


def _x(shape=(5, 4), seed=0, scale=3.0, dtype=np.float64):
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(dtype)


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_matches_torch(name, fm, ft, dtype):
    x = _x(dtype=dtype)
    tol = dict(atol=1e-12, rtol=1e-10) if dtype == np.float64 else dict(atol=1e-6, rtol=1e-5)
    parity(fm, ft, [x], **tol)


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_functional_gradcheck(name, fm, ft):
    x = _x((3, 4), seed=1)
    x[np.abs(x) < 1e-3] = 0.5  # keep clear of kinks
    check_grad(fm, [x])


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_stable_at_thousand(name, fm, ft):
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0], [1000.0, 999.0, -1000.0, 0.5, -0.5]], dtype=np.float32)
    om, ot = parity(fm, ft, [x], atol=1e-6, rtol=1e-5)
    assert np.isfinite(om._data).all()


def test_sigmoid_softmax_exact_at_extremes():
    with strict_numerics():
        s = F.sigmoid(mlplab.tensor([-1000.0, 1000.0]))
        assert s.tolist() == [0.0, 1.0]
        p = F.softmax(mlplab.tensor([1000.0, 0.0, -1000.0]), 0)
        assert p.tolist() == [1.0, 0.0, 0.0]
        lp = F.log_softmax(mlplab.tensor([1000.0, 0.0]), 0)
        assert lp.tolist() == [0.0, -1000.0]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_matches_torch(i):
    mk_m, mk_t = MODULES[i]
    m, t = mk_m(), mk_t()
    assert repr(m) == repr(t)
    x = _x((6, 4), seed=i)
    tparams = list(t.parameters())
    mparams = list(m.parameters())
    assert len(tparams) == len(mparams)
    for a, b in zip(mparams, tparams):
        np.testing.assert_allclose(a._data, b.detach().numpy())
    xm, xt = mt(x.astype(np.float32), True), torch.tensor(x.astype(np.float32), requires_grad=True)
    with strict_numerics():
        om = m(xm)
    ot = t(xt)
    np.testing.assert_allclose(om._data, ot.detach().numpy(), atol=1e-6, rtol=1e-5)
    g = np.random.default_rng(i).normal(size=om.shape).astype(np.float32)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    # float32: GELU-tanh's derivative has a 1 + tanh(u) cancellation in the tails, where torch's own
    # float32 value is off by ~1e-6 (both agree to 1e-12 in the float64 tests above)
    np.testing.assert_allclose(xm.grad._data, xt.grad.numpy(), atol=1e-5, rtol=1e-5)
    for a, b in zip(mparams, tparams):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 4, 5)])
def test_prelu_shapes(shape):
    c = shape[1] if len(shape) > 1 else 1
    w = np.array([0.1, -0.2, 0.3, 0.25][:c])
    x = _x(shape, seed=3)
    parity(lambda a, b: F.prelu(a, b), lambda a, b: TF.prelu(a, b), [x, w])
    check_grad(lambda a, b: F.prelu(a, b), [x, w])
    parity(lambda a, b: F.prelu(a, b), lambda a, b: TF.prelu(a, b), [x, np.array([0.2])])


def test_prelu_channel_mismatch():
    with pytest.raises(RuntimeError, match="parameter numbers = 3 and channel size = 4"):
        F.prelu(mlplab.randn(2, 4), mlplab.nn.Parameter(mlplab.ones(3)))


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
def test_softmax_implicit_and_dtype_kwargs():
    x = _x((3, 4))
    parity(lambda a: F.softmax(a, dim=None), lambda a: TF.softmax(a, dim=None), [x])
    parity(
        lambda a: F.log_softmax(a, 1, dtype=mlplab.float32),
        lambda a: TF.log_softmax(a, 1, dtype=torch.float32),
        [x],
        atol=1e-6,
    )
    parity(lambda a: F.softmax(a, 2), lambda a: TF.softmax(a, 2), [_x((2, 3, 4))])


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(mlplab.ones(2), approximate="fast")


def test_relu_inplace_flag_repr():
    assert repr(nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == repr(torch.nn.LeakyReLU(0.2, inplace=True))
    assert repr(nn.ELU(inplace=True)) == repr(torch.nn.ELU(inplace=True))
    assert repr(nn.Softmax()) == repr(torch.nn.Softmax())


def test_float32_stays_float32():
    x = mlplab.randn(4, 3)
    for f in [
        F.silu,
        F.elu,
        F.gelu,
        F.softplus,
        F.leaky_relu,
        lambda a: F.softmax(a, 1),
        lambda a: F.log_softmax(a, 1),
    ]:
        assert f(x).dtype == mlplab.float32


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=st.floats(-30, 30)))
def test_softmax_property(x):
    parity(lambda a: F.softmax(a, 1), lambda a: TF.softmax(a, 1), [x], atol=1e-12, rtol=1e-9)
    parity(lambda a: F.log_softmax(a, 1), lambda a: TF.log_softmax(a, 1), [x], atol=1e-12, rtol=1e-9)
