"""Matrix norms against torch 2.13: ``linalg.matrix_norm(A, ord, dim, keepdim, dtype)``,
``linalg.norm(A, ord=...)`` on matrices, ``Tensor.norm(p='nuc')`` and ``torch.norm(p='nuc', dim=pair)``:
values, gradients (nuclear U V^T, spectral u_1 v_1^T), float64 gradcheck, torch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.numerical import gradcheck

ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]
A = np.random.default_rng(11).standard_normal((2, 3, 4))  # distinct singular values, no ties in sums


def _both(call, dtype="float64"):
    out = []
    for L in (mlplab, torch):
        a = L.tensor(A.astype(dtype), requires_grad=True)
        y = call(L, a)
        w = L.tensor(np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)).astype(dtype))
        (y * w).sum().backward()
        out.append((y.detach().numpy(), a.grad.numpy()))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 1)], ids=str)
@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_matrix_norm_values_and_gradients_are_torchs(ord, dim, keepdim, dtype) -> None:
    (ym, gm), (yt, gt) = _both(lambda L, a: L.linalg.matrix_norm(a, ord, dim, keepdim), dtype)
    tol = {"rtol": 2e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    assert ym.shape == yt.shape and ym.dtype == yt.dtype
    np.testing.assert_allclose(ym, yt, **tol)
    np.testing.assert_allclose(gm, gt, **tol)


CALLS = {
    "linalg.norm(M, ord)": lambda L, a, o: L.linalg.norm(a[0], ord=o),
    "linalg.norm(A, ord, dim pair)": lambda L, a, o: L.linalg.norm(a, o, (0, 2)),
    "linalg.norm(A, ord, keepdim)": lambda L, a, o: L.linalg.norm(a, o, dim=(1, 2), keepdim=True),
    "matrix_norm(dtype)": lambda L, a, o: L.linalg.matrix_norm(a.float(), o, dtype=L.float64),
}


@pytest.mark.parametrize("ord", ORDS, ids=str)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_linalg_norm_on_matrices_is_torchs(name: str, ord) -> None:
    (ym, gm), (yt, gt) = _both(lambda L, a: CALLS[name](L, a, ord))
    rtol = 1e-6 if name == "matrix_norm(dtype)" else 1e-10  # through float32
    np.testing.assert_allclose(ym, yt, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(gm, gt, rtol=rtol, atol=1e-12)


NUC = {
    "Tensor.norm(p='nuc')": lambda L, a: a[1].norm(p="nuc"),
    "torch.norm(p='nuc', dim)": lambda L, a: L.norm(a, p="nuc", dim=(0, 2)),
    "Tensor.norm('nuc', dim, keepdim)": lambda L, a: a.norm("nuc", (2, 1), True),
    "Tensor.norm(p='fro', dim)": lambda L, a: a.norm(p="fro", dim=(0, 1)),
}


@pytest.mark.parametrize("name", sorted(NUC))
def test_tensor_norm_with_nuc_is_torchs(name: str) -> None:
    (ym, gm), (yt, gt) = _both(NUC[name])
    np.testing.assert_allclose(ym, yt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm, gt, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_gradcheck_float64(ord) -> None:
    a = mlplab.tensor(A, requires_grad=True)
    assert gradcheck(lambda t: mlplab.linalg.matrix_norm(t, ord), (a,))


def test_nuclear_and_spectral_gradients_are_the_singular_vectors() -> None:
    m = A[0]
    u, _, vh = np.linalg.svd(m, full_matrices=False)
    for ord, want in (("nuc", u @ vh), (2, np.outer(u[:, 0], vh[0])), (-2, np.outer(u[:, -1], vh[-1]))):
        a = mlplab.tensor(m, requires_grad=True)
        mlplab.linalg.matrix_norm(a, ord).backward()
        np.testing.assert_allclose(a.grad.numpy(), want, rtol=1e-12, atol=1e-12)


ERRORS = [
    lambda L: L.linalg.matrix_norm(L.ones(4)),
    lambda L: L.linalg.matrix_norm(L.ones(3, 4), ord=3),
    lambda L: L.linalg.matrix_norm(L.ones(3, 4), ord="foo"),
    lambda L: L.linalg.matrix_norm(L.ones(3, 4), dim=(0, 0)),
    lambda L: L.linalg.matrix_norm(L.ones(3, 4), dim=(0,)),
    lambda L: L.linalg.matrix_norm(L.ones(2, 3, dtype=L.int64)),
    lambda L: L.linalg.norm(L.ones(2, 3, 4), ord=2),
    lambda L: L.linalg.norm(L.ones(4), ord="fro"),
    lambda L: L.linalg.norm(L.ones(3, 4), ord="nuc", dim=1),
    lambda L: L.linalg.norm(L.ones(3, 4), ord=3),
    lambda L: L.norm(L.ones(4), p="nuc"),
    lambda L: L.norm(L.ones(2, 3, 4), p="nuc"),
    lambda L: L.linalg.matrix_norm(L.zeros(0, 3), ord=-2),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_are_torchs(k: int) -> None:
    got = []
    for L in (mlplab, torch):
        with pytest.raises((RuntimeError, IndexError)) as e:
            ERRORS[k](L)
        got.append((type(e.value), str(e.value)))
    assert got[0] == got[1]


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_empty_matrices_as_torch(ord, shape) -> None:
    """Norm 0 where torch gives 0; torch's IndexError (its message) where it refuses a min."""
    got = []
    for L in (mlplab, torch):
        try:
            got.append(L.linalg.matrix_norm(L.zeros(shape), ord).tolist())
        except IndexError as e:
            got.append(str(e))
    assert got[0] == got[1]
