"""Linear, Identity, Flatten and F.linear against torch 2.13; default init; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, module_parity, mt, parity

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional


@pytest.mark.parametrize("xshape", [(5, 3), (3,), (2, 4, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(xshape, bias):
    rng = np.random.default_rng(0)
    x = rng.normal(size=xshape)
    w = rng.normal(size=(4, 3))
    b = rng.normal(size=4)
    if bias:
        parity(lambda a, c, d: F.linear(a, c, d), lambda a, c, d: TF.linear(a, c, d), [x, w, b], atol=1e-12)
    else:
        parity(lambda a, c: F.linear(a, c), lambda a, c: TF.linear(a, c), [x, w], atol=1e-12)


def test_linear_gradcheck():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(3, 2, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    check_grad(lambda a, c, d: F.linear(a, c, d), [x, w, b])
    check_grad(lambda a, c: F.linear(a, c), [x[0], w])
    # only some inputs requiring grad
    check_grad(lambda a, c, d: F.linear(a, c, d), [x, w, b], grads=[False, True, False])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_linear_module_matches_torch(bias, dtype):
    torch.manual_seed(0)
    t = torch.nn.Linear(6, 4, bias=bias).to(dtype)
    m = nn.Linear(6, 4, bias=bias)
    if dtype == torch.float64:
        m.double()
    assert repr(m) == repr(t)
    x = np.random.default_rng(0).normal(size=(5, 6)).astype(str(dtype).split(".")[1])
    module_parity(m, t, x, atol=1e-6 if dtype == torch.float32 else 1e-12)
    assert m.weight.dtype.name == str(dtype).split(".")[1]


def test_linear_default_init_bounds():
    mlplab.manual_seed(0)
    lin = nn.Linear(6, 4)
    assert lin.weight.shape == (4, 6) and lin.bias.shape == (4,)
    assert lin.weight.requires_grad and lin.bias.requires_grad
    assert lin.weight.dtype == mlplab.float32
    bound = 1 / math.sqrt(6)
    # torch's bound, computed by torch's own init on the same shape
    tw = torch.empty(4, 6)
    torch.nn.init.kaiming_uniform_(tw, a=math.sqrt(5))
    assert np.abs(tw.numpy()).max() <= bound
    big = nn.Linear(400, 300)
    b = 1 / math.sqrt(400)
    w = big.weight._data
    assert np.abs(w).max() <= b and np.abs(w).max() > 0.99 * b
    np.testing.assert_allclose(w.var(), b * b / 3, rtol=0.02)
    assert np.abs(big.bias._data).max() <= b
    assert np.abs(lin.bias._data).max() <= bound


def test_linear_init_reproducible_with_seed():
    mlplab.manual_seed(3)
    a = nn.Linear(5, 2).weight.tolist()
    mlplab.manual_seed(3)
    assert nn.Linear(5, 2).weight.tolist() == a


def test_linear_wrong_feature_count_names_both():
    lin = nn.Linear(64, 50)
    with pytest.raises(RuntimeError, match=r"Linear\(64 -> 50\) expected input \(\*, 64\), got \(32, 63\)"):
        lin(mlplab.randn(32, 63))
    with pytest.raises(RuntimeError, match="64"):
        F.linear(mlplab.randn(2, 3), mlplab.randn(5, 64))


def test_linear_non_tensor_input_raises():
    with pytest.raises(TypeError, match="Linear expects a Tensor input, got ndarray"):
        nn.Linear(3, 2)(np.ones((2, 3), np.float32))


def test_linear_dtype_mismatch_raises():
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="float64"):
        lin(mlplab.randn(2, 3).double())


def test_linear_no_grad_builds_no_graph():
    lin = nn.Linear(3, 2)
    with mlplab.no_grad():
        y = lin(mlplab.randn(4, 3))
    assert y.grad_fn is None and not y.requires_grad
    y = lin(mlplab.randn(4, 3))
    assert y.grad_fn is not None and y.grad_fn.name() == "AddmmBackward0"


def test_identity_and_flatten():
    ident = nn.Identity(54, unused="x")
    x = mlplab.randn(2, 3)
    assert ident(x) is x
    assert repr(ident) == repr(torch.nn.Identity(54, unused="x"))
    for args in [(), (0,), (1, 2), (2, -1)]:
        fm, ft = nn.Flatten(*args), torch.nn.Flatten(*args)
        assert repr(fm) == repr(ft)
        a = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
        parity(lambda v, f=fm: f(v), lambda v, f=ft: f(v), [a])


def test_notes_weight_data_example():
    # net.weight.data = torch.tensor([[0.1, 0.2], [0.3, 0.4]]) ; the output uses W^T ("weights transpose")
    net = nn.Linear(2, 2, bias=True)
    tnet = torch.nn.Linear(2, 2, bias=True)
    x = mlplab.tensor([[0.1, 0.95]])
    net.weight.data = mlplab.tensor([[0.1, 0.2], [0.3, 0.4]])
    tnet.weight.data = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    with torch.no_grad():
        tnet.bias.copy_(torch.from_numpy(net.bias.detach().numpy()))
    out = net(x)
    tout = tnet(torch.tensor([[0.1, 0.95]]))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), atol=1e-7)
    np.testing.assert_allclose(out.detach().numpy() - net.bias.detach().numpy(), [[0.2, 0.41]], atol=1e-6)
    assert isinstance(net.weight, nn.Parameter)
    assert repr(net.bias).startswith("Parameter containing:\ntensor([")


def test_float_input_list_of_layers():
    lin = nn.Linear(2, 3)
    y = lin(mt(np.ones((4, 2), np.float32)))
    assert y.shape == (4, 3) and y.dtype == mlplab.float32
