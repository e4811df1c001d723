"""``inplace=True`` activations (modules and functional), the ``F.*_`` forms, ``Tensor.relu_`` and
``torch.relu_`` against torch 2.13: the input itself is overwritten and returned, its version goes
up by one, gradients through a non-leaf are torch's (and pass float64 gradcheck), a leaf that
requires grad is refused with torch's message, and an op that saved the input raises as in torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.numerical import gradcheck

X = np.array([[-2.5, -1.0, -0.2, 0.3], [0.9, 2.0, 6.5, -7.0]])

# name -> f(L, x): an in-place activation of x (x a tensor of library L)
CASES = {
    "ReLU(inplace)": lambda L, x: L.nn.ReLU(inplace=True)(x),
    "LeakyReLU(inplace)": lambda L, x: L.nn.LeakyReLU(0.2, inplace=True)(x),
    "ELU(inplace)": lambda L, x: L.nn.ELU(0.7, inplace=True)(x),
    "Hardtanh(inplace)": lambda L, x: L.nn.Hardtanh(-0.5, 1.5, inplace=True)(x),
    "ReLU6(inplace)": lambda L, x: L.nn.ReLU6(inplace=True)(x),
    "SELU(inplace)": lambda L, x: L.nn.SELU(inplace=True)(x),
    # alpha exact in float32: torch rounds CELU's 1/alpha to float32 even for float64 tensors
    "CELU(inplace)": lambda L, x: L.nn.CELU(1.25, inplace=True)(x),
    "Threshold(inplace)": lambda L, x: L.nn.Threshold(0.25, -3.0, inplace=True)(x),
    "SiLU(inplace)": lambda L, x: L.nn.SiLU(inplace=True)(x),
    "Mish(inplace)": lambda L, x: L.nn.Mish(inplace=True)(x),
    "Hardsigmoid(inplace)": lambda L, x: L.nn.Hardsigmoid(inplace=True)(x),
    "Hardswish(inplace)": lambda L, x: L.nn.Hardswish(inplace=True)(x),
    "F.relu(inplace)": lambda L, x: L.nn.functional.relu(x, inplace=True),
    "F.leaky_relu(inplace)": lambda L, x: L.nn.functional.leaky_relu(x, 0.1, inplace=True),
    "F.elu(inplace)": lambda L, x: L.nn.functional.elu(x, inplace=True),
    "F.relu_": lambda L, x: L.nn.functional.relu_(x),
    "F.leaky_relu_": lambda L, x: L.nn.functional.leaky_relu_(x, 0.3),
    "F.elu_": lambda L, x: L.nn.functional.elu_(x, 1.5),
    "F.hardtanh_": lambda L, x: L.nn.functional.hardtanh_(x, -1.0, 0.5),
    "F.threshold_": lambda L, x: L.nn.functional.threshold_(x, 0.0, 0.5),
    "F.selu_": lambda L, x: L.nn.functional.selu_(x),
    "F.celu_": lambda L, x: L.nn.functional.celu_(x, 0.5),
    "Tensor.relu_": lambda L, x: x.relu_(),
    "torch.relu_": lambda L, x: L.relu_(x),
}


def _run(L, name: str, dtype_name: str):
    a = L.tensor(X, dtype=getattr(L, dtype_name), requires_grad=True)
    x = a * 1.0  # a non-leaf that requires grad, as after a Linear layer
    alias = x.detach()  # shares x's memory: must see the change, as in torch
    v0 = x._version
    y = CASES[name](L, x)
    node = y.grad_fn.name()
    w = L.tensor(np.arange(8.0).reshape(2, 4) - 3.0, dtype=getattr(L, dtype_name))
    (y * w).sum().backward()
    return y is x, x._version - v0, node, y.detach().numpy().copy(), alias.numpy().copy(), a.grad.numpy()


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_returns_the_input_with_torchs_values_version_and_gradient(
    name: str, dtype_name: str
) -> None:
    same_t, dv_t, node_t, y_t, alias_t, g_t = _run(torch, name, dtype_name)
    same_m, dv_m, node_m, y_m, alias_m, g_m = _run(mlplab, name, dtype_name)
    assert same_t and same_m
    assert dv_m == dv_t == 1
    assert node_m == node_t
    tol = {"rtol": 1e-6, "atol": 1e-7} if dtype_name == "float32" else {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(y_m, y_t, **tol)
    np.testing.assert_allclose(alias_m, y_t, **tol)
    # torch's in-place ELU-family backward reads the result (y + alpha for x < 0), which cancels in
    # float32 where y ~ -alpha (x = -7: 3e-7 absolute on gradients of order 1); mlplab's reads x
    gtol = {"rtol": 1e-6, "atol": 1e-6} if dtype_name == "float32" else tol
    np.testing.assert_allclose(g_m, g_t, **gtol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_gradcheck_float64(name: str) -> None:
    # shifted off the kinks (0, thresholds, clamps) so that central differences are meaningful
    a = mlplab.tensor(X + 0.013, dtype=mlplab.float64, requires_grad=True)
    assert gradcheck(lambda t: CASES[name](mlplab, t * 1.0), (a,))


def _message(L, fn) -> str:
    with pytest.raises(RuntimeError) as e:
        fn(L)
    return str(e.value).split(" Hint:")[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_leaf_that_requires_grad_is_refused_as_torch(name: str) -> None:
    def program(L):
        CASES[name](L, L.tensor(X, requires_grad=True))

    assert _message(mlplab, program) == _message(torch, program)


@pytest.mark.parametrize("name", sorted(CASES))
def test_changing_a_tensor_another_op_saved_raises_as_torch(name: str) -> None:
    def program(L):
        a = L.tensor(X, requires_grad=True)
        h = a * 1.5
        z = h * h  # saves h
        CASES[name](L, h)
        z.sum().backward()

    assert _message(mlplab, program) == _message(torch, program)


@pytest.mark.parametrize("L", [mlplab, torch], ids=["mlplab", "torch"])
def test_under_no_grad_a_leaf_is_changed_in_place(L) -> None:
    a = L.tensor(X, requires_grad=True)
    with L.no_grad():
        y = L.nn.functional.relu(a, inplace=True)
    assert y is a and a.is_leaf and a.requires_grad and a._version == 1
    np.testing.assert_array_equal(a.detach().numpy(), np.maximum(X, 0))


def test_dropout_inplace_overwrites_its_input_with_the_mask_it_differentiates() -> None:
    for make in (
        lambda x: mlplab.nn.Dropout(0.4, inplace=True)(x),
        lambda x: mlplab.nn.functional.dropout(x, 0.4, True, inplace=True),
    ):
        a = mlplab.tensor(np.linspace(1, 2, 200), requires_grad=True)
        x = a * 1.0
        y = make(x)
        assert y is x and x._version == 1
        kept = y.detach().numpy() != 0
        assert 0 < kept.sum() < 200
        np.testing.assert_allclose(y.detach().numpy()[kept], a.detach().numpy()[kept] / 0.6)
        y.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), kept / 0.6)
    for L in (mlplab, torch):  # a leaf that requires grad: refused by both
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            L.nn.Dropout(0.4, inplace=True)(L.ones(5, requires_grad=True))


@pytest.mark.parametrize("op", ["div", "pow", "rsub", "rpow"])
def test_the_error_names_the_node_as_torch(op: str) -> None:
    """torch drops "Backward0" from the producer's name and "Backward" from the others ("Rsub1")."""
    make = {
        "div": lambda a: a / 2.0,
        "pow": lambda a: a**2.0,
        "rsub": lambda a: 2.0 - a,
        "rpow": lambda a: 2.0**a,
    }[op]

    def program(L):
        a = L.tensor(X, requires_grad=True)
        h = make(a)
        z = h * h
        with L.no_grad():
            h.add_(1)
        z.sum().backward()

    assert _message(mlplab, program) == _message(torch, program)
