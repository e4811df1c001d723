"""``scatter(..., reduce='add'|'multiply')`` and ``scatter_reduce(dim, index, src, reduce,
include_self)`` (function, method, in-place) against torch 2.13: values, gradients (ties, zeros,
untouched targets, excluded self), float64 gradcheck, and the errors torch raises."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.numerical import gradcheck

REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def _data(dim: int, ties: bool, zeros: bool):
    rng = np.random.default_rng(7 + dim + 2 * ties + 4 * zeros)
    x = rng.standard_normal((4, 5))
    index = rng.integers(0, (4, 5)[dim], (3, 5) if dim == 0 else (4, 3))
    # src of index's shape: torch 2.13's scatter_reduce backward refuses a larger src
    src = rng.standard_normal(index.shape)
    if ties:  # equal values in a target: amax/amin share the gradient
        x = np.round(x)
        src = np.round(src)
    if zeros:  # one and two zeros among a target's members: prod's exact gradient
        src[0, :2] = 0.0
        x[index[0, 0] if dim == 0 else 0, 0 if dim == 0 else index[0, 0]] = 0.0
    return x, src, index


CASES = [
    (r, s, d, t, z)
    for r in REDUCES
    for s in (True, False)
    for d in (0, 1)
    for t, z in ((0, 0), (1, 0), (0, 1))
]


@pytest.mark.parametrize("form", ["function", "method", "inplace"])
@pytest.mark.parametrize(("reduce", "include_self", "dim", "ties", "zeros"), CASES)
def test_values_and_gradients_are_torchs(reduce, include_self, dim, ties, zeros, form) -> None:
    x, src, index = _data(dim, bool(ties), bool(zeros))
    outs = []
    for L in (mlplab, torch):
        xt, st = L.tensor(x, requires_grad=True), L.tensor(src, requires_grad=True)
        it = L.tensor(index)
        if form == "function":
            y = L.scatter_reduce(xt, dim, it, st, reduce, include_self=include_self)
        elif form == "method":
            y = xt.scatter_reduce(dim, it, st, reduce=reduce, include_self=include_self)
        else:
            y = xt * 1.0
            assert y.scatter_reduce_(dim, it, st, reduce, include_self=include_self) is y
        assert y.grad_fn.name() == "ScatterReduceBackward0"
        w = L.tensor(np.arange(20.0).reshape(4, 5) - 7.0)
        (y * w).sum().backward()
        outs.append((y.detach().numpy(), xt.grad.numpy(), st.grad.numpy()))
    for a, b in zip(*outs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("reduce", "include_self"), [(r, s) for r in REDUCES for s in (True, False)])
def test_gradcheck_float64(reduce: str, include_self: bool) -> None:
    x, src, index = _data(1, False, False)  # distinct values: amax/amin are differentiable there
    xt, st = mlplab.tensor(x, requires_grad=True), mlplab.tensor(src, requires_grad=True)
    it = mlplab.tensor(index)
    assert gradcheck(lambda a, b: a.scatter_reduce(1, it, b, reduce, include_self=include_self), (xt, st))


@pytest.mark.parametrize("kind", ["src", "value"])
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_computes_as_torch_and_has_no_gradient(reduce: str, kind: str) -> None:
    x, src, index = _data(0, False, False)
    src = np.pad(src, ((0, 2), (0, 1)), constant_values=9.0)  # larger: torch reads its leading block
    results = []
    for L in (mlplab, torch):
        xt, st = L.tensor(x, requires_grad=True), L.tensor(src)
        arg = st if kind == "src" else 1.5
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = xt.scatter(0, L.tensor(index), arg, reduce=reduce)
            z = L.scatter(L.tensor(x), 0, L.tensor(index), arg, reduce=reduce)
            inplace = L.tensor(x)
            assert inplace.scatter_(0, L.tensor(index), arg, reduce=reduce) is inplace
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        # torch appends where in its C++ it warned
        msgs = sorted({str(w.message).split(" (Triggered")[0] for w in caught if w.category is UserWarning})
        results.append((y.detach().numpy(), z.numpy(), inplace.numpy(), y.grad_fn.name(), str(e.value), msgs))
    (ym, zm, im, nm, em, wm), (yt, zt, it, nt, et, wt) = results
    np.testing.assert_allclose(ym, yt, rtol=1e-12)
    np.testing.assert_allclose(zm, zt, rtol=1e-12)
    np.testing.assert_allclose(im, it, rtol=1e-12)
    assert (nm, em) == (nt, et)
    # torch warns once per process (its C++ TORCH_WARN_ONCE), mlplab each time a Tensor src is given
    assert len(wm) == (kind == "src") and (not wt or wt == wm)


def _error(call, lib):
    with pytest.raises((RuntimeError, TypeError)) as e:
        call(lib)
    return type(e.value), str(e.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda L: L.zeros(3).scatter_reduce(0, L.tensor([0, 1]), L.ones(2), "add"),
        lambda L: L.zeros(3).scatter_reduce(0, L.tensor([0, 1]), L.ones(2), reduce="maximum"),
        lambda L: L.zeros(3).scatter(0, L.tensor([0, 1]), L.ones(2), reduce="mean"),
        lambda L: (
            L.zeros(3).scatter_reduce_(0, L.tensor([0, 1]), L.ones(2), "sum", include_self=False)
            + L.scatter_reduce(L.zeros(3), 0, L.tensor([0, 1]), L.ones(2), "avg")
        ),
    ],
)
def test_bad_reduce_is_refused_as_torch(call) -> None:
    assert _error(call, mlplab) == _error(call, torch)


def test_a_leaf_that_requires_grad_is_refused_in_place() -> None:
    for L in (mlplab, torch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            L.zeros(3, requires_grad=True).scatter_reduce_(0, L.tensor([0, 1]), L.ones(2), "sum")


@pytest.mark.parametrize("alias", ["max", "min"])
def test_max_and_min_compute_as_amax_and_amin_without_a_gradient_as_torch(alias: str) -> None:
    x, src, index = _data(1, True, False)
    outs = []
    for L in (mlplab, torch):
        xt, st = L.tensor(x, requires_grad=True), L.tensor(src, requires_grad=True)
        y = xt.scatter_reduce(1, L.tensor(index), st, alias, include_self=False)
        want = xt.scatter_reduce(1, L.tensor(index), st, "a" + alias, include_self=False)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        outs.append((y.detach().numpy(), want.detach().numpy(), str(e.value)))
    (ym, wm, em), (yt, wt, et) = outs
    np.testing.assert_array_equal(ym, yt)
    np.testing.assert_array_equal(ym, wm)
    assert em == et


@pytest.mark.parametrize(("reduce", "include_self"), [(r, s) for r in REDUCES for s in (True, False)])
def test_integer_tensors_as_torch(reduce: str, include_self: bool) -> None:
    """int64 (mean rounds down, as torch's floor division; amax/amin start from the dtype's bounds)."""
    x, src, idx = [[5, -7, 3], [1, 2, 9]], [[2, 4, -6], [8, -1, 3]], [[0, 1, 0], [0, 0, 1]]
    got = [
        L.tensor(x)
        .scatter_reduce(0, L.tensor(idx), L.tensor(src), reduce, include_self=include_self)
        .tolist()
        for L in (mlplab, torch)
    ]
    assert got[0] == got[1]


def test_scatter_with_reduce_refuses_its_gradient_under_create_graph_too():
    """torch has no derivative for scatter(reduce=): with create_graph=True the error is the same."""
    x = mlplab.tensor([1.0, 2.0, 3.0], dtype=mlplab.float64, requires_grad=True)
    src = mlplab.tensor([2.0, 3.0], dtype=mlplab.float64)
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src is deprecated"):
        y = (x * 1).scatter(0, mlplab.tensor([0, 0]), src, reduce="add")
    with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented$"):
        mlplab.autograd.grad(y.sum(), x, create_graph=True)
