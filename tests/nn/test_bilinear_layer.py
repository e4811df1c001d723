"""nn.Bilinear / F.bilinear against torch 2.13: values, input, weight and bias gradients (batch
shapes, 1-D inputs, float32 and float64), float64 gradcheck and gradgradcheck, repr, state_dict
keys, initialisation bounds, signatures and PyTorch's errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, check_grad, mt, parity, tt

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F
from mlplab.autograd import gradgradcheck

TF = torch.nn.functional


def _x(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("batch", [(5,), (2, 3), (), (0,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bilinear_functional_matches_torch(batch, bias, dtype):
    arrays = [_x(batch + (3,), 0, dtype), _x(batch + (4,), 1, dtype), _x((5, 3, 4), 2, dtype)]
    if bias:
        arrays.append(_x((5,), 3, dtype))
    tol = dict(atol=1e-12, rtol=1e-10) if dtype == np.float64 else dict(atol=1e-5, rtol=1e-5)
    parity(F.bilinear, TF.bilinear, arrays, **tol)


def test_bilinear_gradcheck_and_gradgradcheck():
    arrays = [_x((4, 3)), _x((4, 2), 1), _x((5, 3, 2), 2), _x((5,), 3)]
    check_grad(F.bilinear, arrays)
    ins = [mt(a, True) for a in arrays]
    assert gradgradcheck(F.bilinear, ins)


def test_bilinear_module_matches_torch_with_its_weights():
    t = torch.nn.Bilinear(3, 4, 2)
    m = nn.Bilinear(3, 4, 2)
    assert repr(m) == repr(t) == "Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)"
    assert repr(nn.Bilinear(3, 4, 2, bias=False)) == repr(torch.nn.Bilinear(3, 4, 2, bias=False))
    assert list(m.state_dict()) == list(t.state_dict()) == ["weight", "bias"]
    assert list(nn.Bilinear(3, 4, 2, bias=False).state_dict()) == ["weight"]
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    a, b = _x((6, 3), 0, np.float32), _x((6, 4), 1, np.float32)
    am, bm, at, bt = mt(a, True), mt(b, True), tt(a, True), tt(b, True)
    om, ot = m(am, bm), t(at, bt)
    assert_close(om, ot, 1e-6, 1e-5, "output")
    g = _x(om.shape, 5, np.float32)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    for x, y, what in [
        (am, at, "input1"),
        (bm, bt, "input2"),
        (m.weight, t.weight, "weight"),
        (m.bias, t.bias, "bias"),
    ]:
        assert_close(x.grad, y.grad, 1e-6, 1e-5, what)


def test_bilinear_init_is_torchs_uniform_bound_and_dtype():
    mlplab.manual_seed(0)
    m = nn.Bilinear(16, 3, 200)
    bound = 1 / 4
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound
    assert m.weight.shape == (200, 16, 3) and m.weight.dtype == mlplab.float32
    d = nn.Bilinear(2, 3, 4, dtype=mlplab.float64)
    assert d.weight.dtype == mlplab.float64 and d.bias.dtype == mlplab.float64


def test_bilinear_signature_is_torchs():
    def sig(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert sig(nn.Bilinear.__init__) == sig(torch.nn.Bilinear.__init__)
    assert sig(nn.Bilinear.forward) == sig(torch.nn.Bilinear.forward)
    assert [p for p in inspect.signature(F.bilinear).parameters] == ["input1", "input2", "weight", "bias"]


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "a,b,w,bias",
    [
        ((2, 3), (3, 4), (5, 3, 4), (5,)),
        ((2, 3), (2, 5), (5, 3, 4), (5,)),
        ((2, 3), (2, 4), (5, 3, 4), (6,)),
        ((2, 3), (2, 4), (5, 2, 4), None),
        ((2, 2, 3), (2, 4), (5, 3, 4), None),
        ((2, 3), (2, 4), (3, 4, 4), (5,)),
    ],
)
def test_bilinear_shape_errors_are_torchs(a, b, w, bias):
    def call(lib, mk):
        bb = None if bias is None else mk(np.ones(bias, dtype=np.float32))
        return lambda: lib.bilinear(
            mk(np.ones(a, dtype=np.float32)),
            mk(np.ones(b, dtype=np.float32)),
            mk(np.ones(w, dtype=np.float32)),
            bb,
        )

    assert _err(call(F, mlplab.tensor)) == _err(call(TF, torch.tensor))


@pytest.mark.parametrize("which", [0, 1, 2, 3])
def test_bilinear_mixed_dtypes_raise_torchs_message(which):
    def call(lib, mk, use_bias):
        shapes = [(2, 3), (2, 4), (5, 3, 4), (5,)][: 4 if use_bias else 3]
        ts = [mk(np.ones(s, dtype=np.float64 if i == which else np.float32)) for i, s in enumerate(shapes)]
        return lambda: lib.bilinear(*ts)

    assert _err(call(F, mlplab.tensor, True)) == _err(call(TF, torch.tensor, True))
    if which < 3:
        assert _err(call(F, mlplab.tensor, False)) == _err(call(TF, torch.tensor, False))
