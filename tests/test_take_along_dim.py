"""``take_along_dim`` (function and Tensor method) against PyTorch 2.13: values, gradients (also
twice: gradgradcheck and torch's second derivatives), broadcasting, ``dim=None``, torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradgradcheck

CASES = [
    ((2, 3), [[0], [2]], 1),
    ((2, 3), [[0, 1]], 1),
    ((2, 3), [5, 0, 3], None),
    ((2, 3), np.array([[4, 1]], dtype=np.int32), None),
    ((3, 4), [[2, 0, 1, 1]], 0),
    ((2, 1, 3), [[[0, 2]], [[1, 1]]], -1),
    ((2, 3, 4), [[[0], [2], [1]]], 2),
]


def _run(lib, shape, idx, dim, method):
    x = lib.tensor(np.random.RandomState(len(shape)).randn(*shape), requires_grad=True)
    i = lib.tensor(idx if isinstance(idx, np.ndarray) else np.array(idx, dtype=np.int64))
    y = x.take_along_dim(i, dim) if method else lib.take_along_dim(x, i, dim=dim)
    (g,) = lib.autograd.grad(y, x, lib.tensor(np.random.RandomState(1).randn(*y.shape)), create_graph=True)
    (h,) = lib.autograd.grad((g * g * x).sum(), x)
    return y.detach().numpy(), g.detach().numpy(), h.numpy()


@pytest.mark.parametrize("method", [False, True])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_values_and_derivatives_match_torch(case, method):
    for a, b in zip(_run(mlplab, *case, method), _run(torch, *case, method)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_gradgradcheck():
    i = mlplab.tensor([[1, 0, 2, 2]])
    x = mlplab.tensor(np.random.RandomState(3).randn(3, 4), requires_grad=True)
    assert gradgradcheck(lambda x: mlplab.take_along_dim(x * x, i, 0), (x,))


@pytest.mark.parametrize(
    "idx, dim",
    [
        ([0, 1], 1),
        (np.array([[0]], dtype=np.int32), 1),
        ([[[0]]], 1),
        ([[0]], 2),
        (np.array([0.0]), None),
        (np.array([0], dtype=np.int16), None),
    ],
    ids=str,
)
def test_errors_match_torch(idx, dim):
    idx = np.asarray(idx)
    if idx.dtype == np.int_:
        idx = idx.astype(np.int64)
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises((RuntimeError, IndexError)) as et:
        torch.take_along_dim(torch.tensor(x), torch.tensor(idx), dim)
    with pytest.raises(et.type) as em:
        mlplab.take_along_dim(mlplab.tensor(x), mlplab.tensor(idx), dim)
    assert str(em.value) == str(et.value)
