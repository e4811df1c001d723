"""The activations added for PyTorch compatibility (ReLU6, SELU, CELU, Mish, Hardtanh, LogSigmoid,
Softsign, Hardswish, Hardsigmoid, Tanhshrink, Softmin, Threshold, GLU), module and functional,
against torch 2.13: values and gradients in float32 and float64, gradcheck, kinks, +-1000, reprs
and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, mt, parity, strict_numerics

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional

# (name, mlplab functional, torch functional)
ELEMENTWISE = [
    ("relu6", lambda x: F.relu6(x), lambda x: TF.relu6(x)),
    ("selu", lambda x: F.selu(x), lambda x: TF.selu(x)),
    ("celu", lambda x: F.celu(x), lambda x: TF.celu(x)),
    ("celu_0.5", lambda x: F.celu(x, alpha=0.5), lambda x: TF.celu(x, alpha=0.5)),
    ("mish", lambda x: F.mish(x), lambda x: TF.mish(x)),
    ("hardtanh", lambda x: F.hardtanh(x), lambda x: TF.hardtanh(x)),
    ("hardtanh_-2_3", lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0)),
    ("logsigmoid", lambda x: F.logsigmoid(x), lambda x: TF.logsigmoid(x)),
    ("softsign", lambda x: F.softsign(x), lambda x: TF.softsign(x)),
    ("hardswish", lambda x: F.hardswish(x), lambda x: TF.hardswish(x)),
    ("hardsigmoid", lambda x: F.hardsigmoid(x), lambda x: TF.hardsigmoid(x)),
    ("tanhshrink", lambda x: F.tanhshrink(x), lambda x: TF.tanhshrink(x)),
    ("threshold", lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    ("softmin1", lambda x: F.softmin(x, 1), lambda x: TF.softmin(x, 1)),
    ("softmin0", lambda x: F.softmin(x, dim=0), lambda x: TF.softmin(x, dim=0)),
    ("glu", lambda x: F.glu(x), lambda x: TF.glu(x)),
    ("glu0", lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
]
IDS = [c[0] for c in ELEMENTWISE]

MODULES = [
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.ReLU6(inplace=True), lambda: torch.nn.ReLU6(inplace=True)),
    (lambda: nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nn.SELU(True), lambda: torch.nn.SELU(True)),
    (lambda: nn.CELU(alpha=2.0), lambda: torch.nn.CELU(alpha=2.0)),
    (lambda: nn.Mish(), lambda: torch.nn.Mish()),
    (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh()),
    (lambda: nn.Hardtanh(-0.5, 2.0, True), lambda: torch.nn.Hardtanh(-0.5, 2.0, True)),
    (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign()),
    (lambda: nn.Hardswish(), lambda: torch.nn.Hardswish()),
    (lambda: nn.Hardswish(True), lambda: torch.nn.Hardswish(True)),
    (lambda: nn.Mish(inplace=True), lambda: torch.nn.Mish(inplace=True)),
    (lambda: nn.Hardsigmoid(inplace=True), lambda: torch.nn.Hardsigmoid(inplace=True)),
    (lambda: nn.Tanhshrink(), lambda: torch.nn.Tanhshrink()),
    (lambda: nn.Softmin(dim=1), lambda: torch.nn.Softmin(dim=1)),
    (lambda: nn.Threshold(0.1, 20.0), lambda: torch.nn.Threshold(0.1, 20.0)),
    (lambda: nn.Threshold(0.0, -1.0, inplace=True), lambda: torch.nn.Threshold(0.0, -1.0, inplace=True)),
    (lambda: nn.GLU(), lambda: torch.nn.GLU()),
    (lambda: nn.GLU(dim=0), lambda: torch.nn.GLU(dim=0)),
]


def _x(shape=(6, 4), seed=0, scale=3.0, dtype=np.float64):
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(dtype)


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(6, 4), (2, 4, 6)])
def test_functional_matches_torch(name, fm, ft, dtype, shape):
    x = _x(shape, dtype=dtype)
    tol = dict(atol=1e-12, rtol=1e-10) if dtype == np.float64 else dict(atol=1e-6, rtol=1e-5)
    parity(fm, ft, [x], **tol)


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=IDS)
def test_functional_gradcheck(name, fm, ft):
    x = _x((4, 4), seed=1)
    for kink in (-3.0, -2.0, -1.0, 0.0, 0.5, 1.0, 3.0, 6.0):
        x[np.abs(x - kink) < 1e-2] = kink + 0.25  # finite differences need distance from a kink
    check_grad(fm, [x])


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=IDS)
def test_stable_at_thousand(name, fm, ft):
    x = np.array([[-1000.0, -50.0, 0.0, 50.0], [1000.0, 999.0, -1000.0, 0.5]], dtype=np.float32)
    om, _ = parity(fm, ft, [x], atol=1e-6, rtol=1e-5)
    assert np.isfinite(om._data).all()


@pytest.mark.parametrize("name,fm,ft", ELEMENTWISE, ids=IDS)
def test_values_and_gradients_at_the_kinks(name, fm, ft):
    """At the kinks PyTorch picks one side's derivative (hardtanh 0 at both ends, hardswish 0 at -3
    and 1 at 3, threshold 0 at the threshold): the same choice here."""
    x = np.array([[-6.0, -3.0, -2.0, -1.0, 0.0, 0.5], [1.0, 2.0, 3.0, 6.0, -0.5, 7.0]])
    parity(fm, ft, [x], atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_matches_torch(i):
    m, t = MODULES[i][0](), MODULES[i][1]()
    assert repr(m) == repr(t)
    assert not list(m.parameters())
    x = _x((6, 4), seed=i).astype(np.float32)
    xm, xt = mt(x, True), torch.tensor(x, requires_grad=True)
    with strict_numerics():
        om = m(xm * 1)
    ot = t(xt * 1)  # inplace modules need a non-leaf (a leaf that requires grad is refused)
    np.testing.assert_allclose(om._data, ot.detach().numpy(), atol=1e-6, rtol=1e-5)
    g = np.random.default_rng(i).normal(size=om.shape).astype(np.float32)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    np.testing.assert_allclose(xm.grad._data, xt.grad.numpy(), atol=1e-6, rtol=1e-5)


def test_float32_stays_float32():
    x = mlplab.randn(4, 6)
    for _, fm, _ in ELEMENTWISE:
        assert fm(x).dtype == mlplab.float32


def test_hardtanh_bounds_are_checked_as_torch():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(mlplab.ones(2), 2.0, 1.0)
    with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val \(1.0\)"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0


def test_glu_needs_an_even_dimension():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 3"):
        F.glu(mlplab.ones(2, 3))
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(mlplab.tensor(1.0))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        TF.glu(torch.ones(2, 3))


def test_celu_alpha_zero_raises_as_torch():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        TF.celu(torch.ones(2), alpha=0.0)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        F.celu(mlplab.ones(2), alpha=0.0)


def test_softmin_implicit_dim_warns_as_torch():
    x = _x((3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        om = F.softmin(mt(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ot = TF.softmin(torch.tensor(x))
    np.testing.assert_allclose(om._data, ot.numpy(), rtol=1e-12)


def test_integer_input_is_refused():
    with pytest.raises(RuntimeError, match="floating-point"):
        F.selu(mlplab.tensor([1, 2]))
