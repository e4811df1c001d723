"""einsum's gradient for "..." (ellipsis), letters repeated within one operand (diagonals: 'ii->i',
'ii', 'bii->bi') and size-1 dimensions that broadcast, against torch 2.13 (values and gradients)
and finite differences (float64 gradcheck); the list form ``einsum(eq, [a, b])``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.numerical import gradcheck

# equation -> operand shapes
CASES = {
    "ii->i": [(4, 4)],
    "ii": [(3, 3)],
    "ii->": [(3, 3)],
    "bii->bi": [(2, 3, 3)],
    "bii->b": [(2, 3, 3)],
    "iij,j->i": [(3, 3, 2), (2,)],
    "ii,ij->j": [(3, 3), (3, 4)],
    "ij,ij->ij": [(1, 3), (4, 3)],
    "...ij,...jk->...ik": [(2, 1, 3, 4), (5, 4, 2)],
    "...ij,...jk": [(2, 3, 4), (4, 2)],
    "i...->...": [(3, 2, 5)],
    "...i,...i->...": [(2, 3), (3,)],
    "b...i,...i": [(2, 4, 3), (3,)],
    "...ii->...i": [(2, 3, 3)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "ij->": [(2, 3)],
    "i,j->ij": [(3,), (2,)],
}


def _inputs(name: str) -> list[np.ndarray]:
    rng = np.random.default_rng(sum(map(ord, name)))
    return [rng.standard_normal(s) for s in CASES[name]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("eq", sorted(CASES))
def test_values_and_gradients_are_torchs(eq: str, dtype: str) -> None:
    arrays = [a.astype(dtype) for a in _inputs(eq)]
    results = []
    for L in (mlplab, torch):
        ts = [L.tensor(a, requires_grad=True) for a in arrays]
        y = L.einsum(eq, *ts)
        w = L.tensor(np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)).astype(dtype))
        (y * w).sum().backward()
        results.append((y.detach().numpy(), [t.grad.numpy() for t in ts]))
    (ym, gm), (yt, gt) = results
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    assert ym.shape == yt.shape
    np.testing.assert_allclose(ym, yt, **tol)
    for a, b in zip(gm, gt, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize("eq", sorted(CASES))
def test_gradcheck_float64(eq: str) -> None:
    ts = [mlplab.tensor(a, requires_grad=True) for a in _inputs(eq)]
    assert gradcheck(lambda *xs: mlplab.einsum(eq, *xs), ts)


@pytest.mark.parametrize("L", [mlplab, torch], ids=["mlplab", "torch"])
def test_operands_as_one_list_or_tuple(L) -> None:
    a, b = _inputs("bij,bjk->bik")
    ta, tb = L.tensor(a), L.tensor(b)
    want = np.einsum("bij,bjk->bik", a, b)
    np.testing.assert_allclose(L.einsum("bij,bjk->bik", [ta, tb]).numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(L.einsum("bij,bjk->bik", (ta, tb)).numpy(), want, rtol=1e-12)


def test_only_the_diagonal_gets_a_gradient() -> None:
    a = mlplab.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    mlplab.einsum("ii", a).backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.eye(3))
