"""The forward/backward fast paths give bitwise what their plain reference gives.

- ``LinearFn`` computes its 2-D products with ``np.dot`` instead of ``@``: compared bitwise with
  the matmul formulas of its docstring (y = x W^T + b, dx = g W, dW = g^T x, db = sum_rows g).
- The engine runs a chain of nodes without its heap: gradients through chains, diamonds and
  branches of unequal length equal PyTorch's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.ops.linear import LinearFn

SHAPES = [(1, 64, 50), (1, 50, 10), (32, 64, 50), (7, 3, 17), (128, 784, 256), (5, 1, 1), (2, 9, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_linear_fast_products_bitwise_equal_matmul(dtype: type, shape: tuple) -> None:
    n, fan_in, fan_out = shape
    rng = np.random.default_rng(n * 1000 + fan_in)
    x = rng.standard_normal((n, fan_in)).astype(dtype)
    w = rng.standard_normal((fan_out, fan_in)).astype(dtype)
    b = rng.standard_normal(fan_out).astype(dtype)
    g = rng.standard_normal((n, fan_out)).astype(dtype)
    xt, wt, bt = (mlplab.tensor(a, requires_grad=True) for a in (x, w, b))
    y = LinearFn.apply(xt, wt, bt)
    ref = x @ w.T
    ref += b
    assert y.dtype == xt.dtype and np.array_equal(y.detach().numpy(), ref)
    y.backward(mlplab.tensor(g))
    assert np.array_equal(xt.grad.numpy(), g @ w)
    assert np.array_equal(wt.grad.numpy(), g.T @ x)
    assert np.array_equal(bt.grad.numpy(), g.sum(0))


def test_linear_one_dim_and_batched_inputs_keep_matmul() -> None:
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 6)).astype(np.float32)
    for shape in [(6,), (2, 3, 6)]:
        x = rng.standard_normal(shape).astype(np.float32)
        xt, wt = mlplab.tensor(x, requires_grad=True), mlplab.tensor(w, requires_grad=True)
        y = mlplab.nn.functional.linear(xt, wt)
        assert np.array_equal(y.detach().numpy(), x @ w.T)
        y.sum().backward()
        g = np.ones(y.shape, np.float32)
        assert np.array_equal(xt.grad.numpy(), g @ w)


def _graph(lib, x, w):  # noqa: ANN001, ANN202 - the same program on mlplab and torch
    a = (x * w).tanh()  # a chain ...
    b = a.sigmoid() * 2.0  # ... that branches: a feeds b and c
    c = (a * 3.0).exp().sin()  # a longer branch
    d = x.cos()  # x itself feeds two nodes created far apart
    return (b * c + d).sum() + (a * a).mean()


def test_engine_chain_and_branches_match_torch() -> None:
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal(7), rng.standard_normal(7)
    x, w = mlplab.tensor(x0, requires_grad=True), mlplab.tensor(w0, requires_grad=True)
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    _graph(mlplab, x, w).backward()
    _graph(torch, tx, tw).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-14)
