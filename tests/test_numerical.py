"""``mlplab.autograd.numerical``: the notes' numerical-differentiation outputs, numerical_grad
against autograd, and gradcheck catching a wrong backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.numerical import GradcheckError, derivative, gradcheck, gradient, numerical_grad, partial
from mlplab.autograd.op import Op


def test_notes_derivative_of_square():
    # notes 2.1: "x=2 处的导数:4.000", "x=4 处的导数:8.000"
    def f(x):
        return x**2

    assert f"{derivative(f, 2):.3f}" == "4.000"
    assert f"{derivative(f, 4):.3f}" == "8.000"


def test_central_difference_beats_forward_difference():
    f, x, h = np.exp, 1.0, 1e-4
    forward = (f(x + h) - f(x)) / h
    central = derivative(f, x, h)
    assert abs(central - np.e) < 1e-7 < abs(forward - np.e)


def test_notes_partial_derivatives():
    # notes 2.2: f(x, y) = x^2 + y^2 + xy;  df/dx = 2x + y, df/dy = 2y + x
    def f(x, y):
        return x**2 + y**2 + x * y

    assert partial(f, (3.0, 4.0), 0) == pytest.approx(2 * 3 + 4, abs=1e-6)
    assert partial(f, (3.0, 4.0), 1) == pytest.approx(2 * 4 + 3, abs=1e-6)
    assert partial(f, [-1.0, 2.0], 0) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(IndexError, match="out of range for 2 arguments"):
        partial(f, (1.0, 2.0), 2)


def test_notes_gradient_of_sum_of_squares():
    # notes 2.3: array([[ 4., 6.], [ 8., 10.], [12., 14.]])
    x = np.array([[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    g = gradient(lambda a: np.sum(a**2), x)
    np.testing.assert_allclose(g, [[4, 6], [8, 10], [12, 14]], atol=1e-6)
    assert g.shape == (3, 2)
    np.testing.assert_array_equal(x, [[2, 3], [4, 5], [6, 7]])  # restored after perturbing
    # integer input is converted, any shape works
    np.testing.assert_allclose(gradient(lambda a: (a**3).sum(), [1, 2]), [3, 12], atol=1e-6)
    np.testing.assert_allclose(gradient(lambda a: a.sum(), np.ones((2, 2, 2))), np.ones((2, 2, 2)), atol=1e-8)


def test_numerical_grad_matches_autograd_and_torch():
    rs = np.random.RandomState(0)
    x = rs.randn(8, 5)
    y = rs.randint(0, 3, 8)
    w1, b1, w2 = rs.randn(4, 5) * 0.5, rs.randn(4) * 0.1, rs.randn(3, 4) * 0.5
    params = [mlplab.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    xt = mlplab.tensor(x)

    def loss(lib, ps, xx):
        a, b, c = ps
        z = (xx @ a.T + b).tanh() @ c.T
        lse = z.logsumexp(1)
        return (lse - z[range(8), list(y)]).mean()

    num = numerical_grad(lambda: loss(mlplab, params, xt), params)
    assert [n.shape for n in num] == [(4, 5), (4,), (3, 4)]
    assert all(n.dtype == np.float64 for n in num)
    assert all(p.grad is None for p in params)  # numerical_grad does not touch .grad
    loss(mlplab, params, xt).backward()
    tparams = [torch.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    loss(torch, tparams, torch.tensor(x)).backward()
    for n, p, tp in zip(num, params, tparams):
        np.testing.assert_allclose(n, p.grad.numpy(), atol=1e-8)
        np.testing.assert_allclose(n, tp.grad.numpy(), atol=1e-8)
    np.testing.assert_array_equal(params[0].detach().numpy(), w1)  # parameters restored


def test_numerical_grad_float32_params_keep_dtype():
    w = mlplab.tensor([1.0, -2.0], requires_grad=True)
    (g,) = numerical_grad(lambda: (w * w).sum(), [w], h=1e-2)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [2.0, -4.0], rtol=1e-3)


def test_gradcheck_passes_on_correct_ops():
    rs = np.random.RandomState(1)
    x = mlplab.tensor(rs.randn(3, 4), requires_grad=True)
    y = mlplab.tensor(rs.randn(4), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh() @ b, (x, y))
    assert gradcheck(lambda a: a.logsumexp(1), [x])
    assert gradcheck(lambda a: a.sigmoid(), x)  # a single tensor is accepted
    # float32 inputs are checked in float64 copies; the caller's tensors are untouched
    x32 = mlplab.tensor(rs.randn(2, 2).astype(np.float32), requires_grad=True)
    assert gradcheck(lambda a: a.exp().sum(), [x32])
    assert x32.dtype is mlplab.float32 and x32.grad is None
    # non-tensor arguments pass through
    assert gradcheck(lambda a, k: a**k, [x, 3])


class _WrongSquare(Op):
    """y = x^2 with a deliberately wrong backward (3x instead of 2x)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return g * 3 * self.x


class _WrongAtOneElement(Op):
    """y = 2x, but the gradient of element (1, 2) is off by 0.5."""

    def forward(self, x):
        return 2 * x

    def backward(self, g):
        out = 2 * g
        out[1, 2] += 0.5 * g[1, 2]
        return out


def test_gradcheck_raises_naming_the_worst_element():
    x = mlplab.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 2\)\) at element \(1, 1\)") as e:
        gradcheck(lambda a: _WrongSquare.apply(a), [x])
    assert "analytical 12" in str(e.value) and "numerical 8" in str(e.value)
    y = mlplab.zeros(2, 3, requires_grad=True)
    with pytest.raises(
        GradcheckError, match=r"at element \(1, 2\), output element \(1, 2\): analytical 2.5 vs numerical 2"
    ):
        gradcheck(lambda a: _WrongAtOneElement.apply(a), [y])
    assert gradcheck(lambda a: _WrongSquare.apply(a), [x], raise_exception=False) is False


def test_gradcheck_second_input_and_errors():
    a = mlplab.tensor([1.0, 2.0], requires_grad=True)
    b = mlplab.tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda p, q: p + _WrongSquare.apply(q), [a, b])
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(lambda p: p * 2, [mlplab.tensor([1.0])])
    with pytest.raises(TypeError, match="must return a Tensor"):
        gradcheck(lambda p: 1.0, [a])
