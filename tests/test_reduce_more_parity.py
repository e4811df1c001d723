"""Scans, NaN-ignoring reductions and order statistics (cumprod, logcumsumexp, cummax/cummin,
diff, nansum, nanmean, median, nanmedian, kthvalue, quantile, nanquantile, aminmax, std_mean,
var_mean) against torch 2.13: values and gradients in float32 and float64, gradcheck, second
derivatives of the new scans, integer inputs and errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, errors_of_both, rand
from dbl_harness import assert_matches_torch

import mlplab
from mlplab.autograd import gradgradcheck

rs = np.random.RandomState(23)
R = lambda *shape: rand(rs, shape)  # noqa: E731
WITH_ZEROS = np.array([[1.5, 0.0, -2.0, 0.7], [0.0, 0.0, 3.0, -1.1], [0.9, 1.2, -0.4, 2.0]])
WITH_NAN = np.array([[1.5, np.nan, -2.0, 0.7, 0.3], [0.2, 0.1, 3.0, -1.1, 0.8]])
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("cumprod", lambda L, a: L.cumprod(a, 1), (R(3, 4),)),
    ("cumprod dim 0 method", lambda L, a: a.cumprod(0), (R(4, 3),)),
    ("cumprod with zeros", lambda L, a: L.cumprod(a, dim=1), (WITH_ZEROS,)),
    ("cumprod 0-d", lambda L, a: L.cumprod(a, 0), (R(),)),
    ("logcumsumexp", lambda L, a: L.logcumsumexp(a, 1), (R(3, 5) * 30,)),
    ("logcumsumexp dim 0", lambda L, a: a.logcumsumexp(0), (R(4, 2),)),
    ("cummax values", lambda L, a: L.cummax(a, 1).values, (R(3, 5),)),
    ("cummin values", lambda L, a: a.cummin(0)[0], (R(4, 3),)),
    ("diff", lambda L, a: L.diff(a), (R(3, 5),)),
    ("diff n=2 dim 0", lambda L, a: a.diff(2, 0), (R(5, 3),)),
    ("diff prepend append", lambda L, a, p, q: L.diff(a, 1, 1, p, q), (R(3, 4), R(3, 2), R(3, 1))),
    ("nansum", lambda L, a: L.nansum(a), (WITH_NAN,)),
    ("nansum dim keepdim", lambda L, a: a.nansum(1, True), (WITH_NAN,)),
    ("nanmean dim", lambda L, a: L.nanmean(a, dim=1), (WITH_NAN,)),
    ("nanmean all", lambda L, a: a.nanmean(), (WITH_NAN,)),
    ("median all", lambda L, a: L.median(a), (R(3, 5),)),
    ("median dim", lambda L, a: L.median(a, 1).values, (R(3, 4),)),
    ("median dim keepdim", lambda L, a: a.median(0, keepdim=True)[0], (R(5, 3),)),
    ("nanmedian dim", lambda L, a: L.nanmedian(a, 1).values, (WITH_NAN,)),
    ("nanmedian all", lambda L, a: L.nanmedian(a), (WITH_NAN,)),
    ("kthvalue", lambda L, a: L.kthvalue(a, 2, 1).values, (R(3, 5),)),
    ("kthvalue keepdim", lambda L, a: a.kthvalue(3, 0, True)[0], (R(4, 3),)),
    ("quantile scalar", lambda L, a: L.quantile(a, 0.3), (R(3, 5),)),
    ("quantile dim", lambda L, a: L.quantile(a, 0.75, dim=1), (R(3, 5),)),
    (
        "quantile vector q keepdim",
        lambda L, a: L.quantile(a, L.tensor([0.1, 0.5, 0.9], dtype=a.dtype), 0, True),
        (R(5, 3),),
    ),
    ("quantile lower", lambda L, a: a.quantile(0.4, 1, interpolation="lower"), (R(3, 6),)),
    ("quantile higher", lambda L, a: a.quantile(0.4, 1, interpolation="higher"), (R(3, 6),)),
    ("quantile midpoint", lambda L, a: a.quantile(0.4, 1, interpolation="midpoint"), (R(3, 6),)),
    ("quantile nearest", lambda L, a: a.quantile(0.5, 1, interpolation="nearest"), (R(3, 6),)),
    ("quantile with nan", lambda L, a: L.quantile(a, 0.5, 1), (WITH_NAN,)),
    ("nanquantile", lambda L, a: L.nanquantile(a, 0.3, 1), (WITH_NAN,)),
    ("mode values", lambda L, a: L.mode(a, 1).values, (rs.randint(-2, 2, (3, 8)) * 0.5,)),
    ("mode keepdim", lambda L, a: a.mode(0, True)[0], (rs.randint(0, 3, (7, 3)) * 1.5,)),
    ("mode distinct", lambda L, a: L.mode(a).values, (R(3, 4),)),
    ("aminmax min", lambda L, a: L.aminmax(a).min, (R(3, 4),)),
    ("aminmax dim", lambda L, a: a.aminmax(dim=1)[1], (R(3, 4),)),
    ("std_mean", lambda L, a: L.std_mean(a, 1)[0], (R(3, 4),)),
    ("std_mean mean", lambda L, a: L.std_mean(a, dim=0, correction=0, keepdim=True)[1], (R(3, 4),)),
    ("var_mean", lambda L, a: L.var_mean(a, 1, correction=2)[0], (R(3, 5),)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_reduction_matches_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    has_nan = any(isinstance(a, np.ndarray) and np.isnan(a).any() for a in inputs)
    # finite differences split the ties that make a mode (the torch comparison above still runs)
    by_fd = not has_nan and name not in ("mode values", "mode keepdim")
    check(fn, *inputs, dtype=dtype, grad_check=None if by_fd else False)


def test_indices_match_torch() -> None:
    a = R(4, 6)
    for f in (
        lambda L, x: L.cummax(x, 1).indices,
        lambda L, x: L.cummin(x, 0).indices,
        lambda L, x: L.median(x, 1).indices,
        lambda L, x: L.kthvalue(x, 4, 1).indices,
        lambda L, x: L.nanmedian(x, 0).indices,
        lambda L, x: L.mode(x.round(), 1).indices,
        lambda L, x: L.mode((x * 2).round(), 0).indices,
    ):
        assert_close(f(mlplab, mlplab.tensor(a)), f(torch, torch.tensor(a)))
    ties = np.array([[1.0, 3.0, 3.0, 2.0, 3.0]])
    for f in (lambda L, x: L.cummax(x, 1).indices, lambda L, x: L.cummin(-x, 1).indices):
        assert_close(f(mlplab, mlplab.tensor(ties)), f(torch, torch.tensor(ties)))
    nan_row = np.array([[1.0, np.nan, 3.0, np.nan, 0.5]])
    for f in (lambda L, x: L.cummax(x, 1), lambda L, x: L.cummin(x, 1)):
        m, t = f(mlplab, mlplab.tensor(nan_row)), f(torch, torch.tensor(nan_row))
        assert_close(m.values, t.values)
        assert_close(m.indices, t.indices)


def test_median_of_nothing_is_nan_as_torch() -> None:
    assert_close(mlplab.median(mlplab.ones(0)), torch.median(torch.ones(0)))


def test_integer_inputs_match_torch() -> None:
    i = np.array([[3, 1, 2], [0, 5, -1]])
    for f in (
        lambda L, x: L.cumprod(x, 1),
        lambda L, x: L.diff(x),
        lambda L, x: L.nansum(x),
        lambda L, x: L.cummax(x, 1).values,
        lambda L, x: L.median(x),
        lambda L, x: L.aminmax(x, dim=0).max,
        lambda L, x: L.mode(x % 2, 1).values,
        lambda L, x: L.diff(x > 1, dim=0),
    ):
        check(f, i, no_grad=[0])


SECOND = {
    "cumprod": (lambda L, a: L.cumprod(a, 1), ((3, 4),)),
    "logcumsumexp": (lambda L, a: L.logcumsumexp(a, 0), ((4, 3),)),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivatives_of_the_scans(name: str) -> None:
    f, shapes = SECOND[name]
    xs = [mlplab.tensor(np.random.RandomState(2).standard_normal(s), requires_grad=True) for s in shapes]
    assert gradgradcheck(lambda *t: f(mlplab, *t), xs)
    assert_matches_torch(SECOND, name)


ERRORS: list[tuple[str, Callable, tuple]] = [
    ("nanmean ints", lambda L, a: L.nanmean(a), (np.array([1, 2]),)),
    ("logcumsumexp ints", lambda L, a: L.logcumsumexp(a, 0), (np.array([1, 2]),)),
    ("quantile q range", lambda L, a: L.quantile(a, 1.5), (R(3),)),
    ("quantile ints", lambda L, a: L.quantile(a, 0.5), (np.array([1, 2]),)),
    ("quantile mode", lambda L, a: L.quantile(a, 0.5, interpolation="cubic"), (R(3),)),
    ("diff 0-d", lambda L, a: L.diff(a), (R(),)),
    ("diff prepend dims", lambda L, a, p: L.diff(a, prepend=p), (R(2, 3), R(3))),
    ("cumprod dim", lambda L, a: L.cumprod(a, 2), (R(2, 3),)),
    ("kthvalue k", lambda L, a: L.kthvalue(a, 4, 0), (R(3),)),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_torchs_error(case: tuple) -> None:
    name, fn, inputs = case
    t, m = errors_of_both(fn, inputs)
    assert str(m) == str(t)


def test_cumprod_in_place_matches_torch() -> None:
    a = R(3, 4)
    res = []
    for L in (torch, mlplab):
        w = L.tensor(a, requires_grad=True)
        y = w * 1.5
        assert y.cumprod_(1) is y
        y.backward(L.tensor(np.linspace(-1, 1, 12).reshape(3, 4)))
        z = L.tensor(a)
        z.cumprod_(0)
        res.append((y, w.grad, z, z._version))
    for m, t in zip(res[1][:3], res[0][:3]):
        assert_close(m, t)
    assert res[1][3] == res[0][3]
