"""Parity helpers: run one function on mlplab and on torch, compare values and gradients.

``fn(lib, *tensors)`` is written once against the PyTorch API and called with ``lib=torch`` and
``lib=mlplab``. Floating arrays become leaves with ``requires_grad=True`` (unless listed in
``no_grad``); other arrays (indices, masks) become plain tensors; anything else passes through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import mlplab
from mlplab.autograd.numerical import gradcheck

# float64 must agree to ~1e-10; float32 to rtol 1e-5 plus an absolute 1e-6 * (largest magnitude in
# the tensor, at least 1): NumPy's BLAS and PyTorch sum dot products and reductions in different
# orders, so a small element of a matmul result may differ by a few ulps of the big ones.
TOL = {
    np.dtype(np.float64): {"rtol": 1e-10, "atol": 1e-12},
    np.dtype(np.float32): {"rtol": 1e-5, "atol": 1e-6},
}


def _pair(a: Any, dtype: Any, rg: bool) -> tuple[Any, Any]:
    if isinstance(a, np.ndarray):
        if a.dtype.kind == "f":
            a = a.astype(dtype)
            return (
                torch.tensor(a, requires_grad=rg),
                mlplab.tensor(a, requires_grad=rg),
            )
        return torch.tensor(a), mlplab.tensor(a)
    return a, a


def _np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t._data


def assert_close(m: Any, t: Any, what: str = "value", tol: dict | None = None) -> None:
    """mlplab tensor ``m`` equals torch tensor ``t``: same shape, same dtype, close values."""
    a, b = _np(m), _np(t)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs torch {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} vs torch {b.dtype}"
    if a.dtype.kind == "f":
        kw = dict(tol or TOL[a.dtype])
        if a.dtype == np.float32 and tol is None and b.size:
            finite = np.abs(b[np.isfinite(b)])
            kw["atol"] *= max(1.0, float(finite.max()) if finite.size else 1.0)
        np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **kw)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def check(
    fn: Callable[..., Any],
    *inputs: Any,
    dtype: Any = np.float64,
    no_grad: Sequence[int] = (),
    grad_check: bool | None = None,
    seed: int = 0,
    tol: dict | None = None,
) -> None:
    """Compare ``fn`` on mlplab and torch: output, then every input gradient under a random
    upstream gradient; in float64 also run :func:`gradcheck` on the mlplab side."""
    dtype = np.dtype(dtype)
    pairs = [_pair(a, dtype, i not in no_grad) for i, a in enumerate(inputs)]
    tin = [p[0] for p in pairs]
    min_ = [p[1] for p in pairs]
    tout = fn(torch, *tin)
    mout = fn(mlplab, *min_)
    assert isinstance(mout, mlplab.Tensor), f"mlplab returned {type(mout).__name__}"
    assert_close(mout, tout, "forward", tol)
    if not tout.requires_grad:
        assert not mout.requires_grad
        return
    assert mout.requires_grad
    g = np.random.RandomState(seed).standard_normal(tout.shape).astype(_np(tout).dtype)
    tout.backward(torch.tensor(g))
    mout.backward(mlplab.tensor(g))
    for i, (t, m) in enumerate(zip(tin, min_)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert m.grad is None, f"input {i}: torch has no grad, mlplab has one"
            else:
                assert m.grad is not None, f"input {i}: mlplab has no grad"
                assert_close(m.grad, t.grad, f"grad of input {i}", tol)
    if grad_check is None:
        grad_check = dtype == np.float64
    if grad_check:
        fresh = [_pair(a, np.float64, i not in no_grad)[1] for i, a in enumerate(inputs)]
        assert gradcheck(lambda *xs: fn(mlplab, *xs), fresh)


def rand(rs: np.random.RandomState, shape: tuple, kind: str = "any") -> np.ndarray:
    """Random float64 array; ``kind`` 'pos' keeps it in [0.5, 2], 'nonzero' away from 0."""
    if kind == "pos":
        return np.asarray(rs.uniform(0.5, 2.0, shape))
    a = np.asarray(rs.standard_normal(shape))
    if kind == "nonzero":
        return np.where(a < 0, a - 0.5, a + 0.5)
    return a


def errors_of_both(fn: Callable[..., Any], inputs: Sequence[Any]) -> tuple[BaseException, BaseException]:
    """``fn(L, *tensors)`` run with torch and with mlplab (each on ``L.tensor`` of ``inputs``): both
    must raise, the same exception type; returns (torch's, mlplab's) for the caller to compare."""
    import pytest

    caught = []
    for L in (torch, mlplab):
        with pytest.raises(Exception) as e:
            fn(L, *[L.tensor(a) for a in inputs])
        caught.append(e.value)
    t, m = caught
    assert type(m) is type(t), f"{type(m).__name__} vs torch {type(t).__name__}: {m}"
    return t, m
