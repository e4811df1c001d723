"""BLAS-style and ternary functions (addcmul, addcdiv, addmm, addmv, addr, addbmm, baddbmm, mv,
ger, inner, tensordot, trace, kron, chain_matmul) and their in-place forms, against torch 2.13:
values and gradients in float32 and float64, gradcheck, second derivatives, errors."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, errors_of_both, rand
from dbl_harness import assert_matches_torch

import mlplab
from mlplab.autograd import gradgradcheck

rs = np.random.RandomState(5)
R = lambda *shape: rand(rs, shape)  # noqa: E731
NZ = lambda *shape: rand(rs, shape, "nonzero")  # noqa: E731
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("addcmul", lambda L, a, b, c: L.addcmul(a, b, c), (R(3, 4), R(4), R(3, 1))),
    ("addcmul value", lambda L, a, b, c: L.addcmul(a, b, c, value=-0.5), (R(3, 4), R(3, 4), R(3, 4))),
    ("addcmul method", lambda L, a, b, c: a.addcmul(b, c, value=2), (R(4), R(3, 4), R(4))),
    ("addcdiv", lambda L, a, b, c: L.addcdiv(a, b, c, value=0.3), (R(3, 4), R(3, 4), NZ(4))),
    ("addmm", lambda L, a, b, c: L.addmm(a, b, c), (R(2, 4), R(2, 3), R(3, 4))),
    (
        "addmm beta alpha broadcast",
        lambda L, a, b, c: L.addmm(a, b, c, beta=0.5, alpha=2),
        (R(4), R(2, 3), R(3, 4)),
    ),
    ("addmm beta 0", lambda L, a, b, c: a.addmm(b, c, beta=0), (R(2, 4), R(2, 3), R(3, 4))),
    ("addmv", lambda L, a, m, v: L.addmv(a, m, v, beta=2, alpha=-1), (R(3), R(3, 4), R(4))),
    ("addr", lambda L, a, u, v: L.addr(a, u, v, alpha=3), (R(3, 4), R(3), R(4))),
    ("addbmm", lambda L, a, b, c: L.addbmm(a, b, c, beta=0.5), (R(2, 4), R(5, 2, 3), R(5, 3, 4))),
    ("baddbmm", lambda L, a, b, c: L.baddbmm(a, b, c, alpha=0.5), (R(5, 2, 4), R(5, 2, 3), R(5, 3, 4))),
    ("baddbmm broadcast input", lambda L, a, b, c: a.baddbmm(b, c), (R(1, 4), R(5, 2, 3), R(5, 3, 4))),
    ("mv", lambda L, m, v: L.mv(m, v), (R(3, 4), R(4))),
    ("ger", lambda L, u, v: L.ger(u, v), (R(3), R(4))),
    ("inner vectors", lambda L, u, v: L.inner(u, v), (R(4), R(4))),
    ("inner nd", lambda L, a, b: L.inner(a, b), (R(2, 3, 4), R(5, 4))),
    ("inner 0-d", lambda L, a, b: a.inner(b), (R(), R(2, 3))),
    ("tensordot 2", lambda L, a, b: L.tensordot(a, b), (R(2, 3, 4), R(3, 4, 5))),
    ("tensordot 0", lambda L, a, b: L.tensordot(a, b, 0), (R(2, 3), R(4))),
    ("tensordot lists", lambda L, a, b: L.tensordot(a, b, dims=([1, 0], [0, 2])), (R(2, 3, 4), R(3, 5, 2))),
    ("tensordot int lists", lambda L, a, b: L.tensordot(a, b, dims=([2], [1])), (R(2, 3, 4), R(5, 4))),
    ("trace", lambda L, a: L.trace(a), (R(3, 4),)),
    ("kron", lambda L, a, b: L.kron(a, b), (R(2, 3), R(3, 2))),
    ("kron mixed dims", lambda L, a, b: L.kron(a, b), (R(2, 2, 3), R(3))),
    ("chain_matmul", lambda L, a, b, c: L.chain_matmul(a, b, c), (R(2, 3), R(3, 4), R(4, 2))),
]


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_blas_matches_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    check(fn, *inputs, dtype=dtype)


SECOND = {c[0]: (c[1], tuple(a.shape for a in c[2])) for c in DIFFERENTIABLE if c[0] != "chain_matmul"}


@pytest.mark.parametrize(
    "name", ["addcmul", "addcdiv", "addmm beta alpha broadcast", "addbmm", "kron", "inner nd"]
)
def test_second_derivatives(name: str) -> None:
    fn, shapes = SECOND[name]
    rs2 = np.random.RandomState(3)
    xs = [
        mlplab.tensor(rs2.standard_normal(s) + (2.0 if name == "addcdiv" else 0.0), requires_grad=True)
        for s in shapes
    ]
    assert gradgradcheck(lambda *t: fn(mlplab, *t), xs)
    assert_matches_torch(SECOND, name)


def test_integer_values_match_torch() -> None:
    i = np.array([[1, 2], [3, 4]])
    check(lambda L, a: L.trace(a), i, no_grad=[0])
    check(lambda L, a, b, c: L.addcmul(a, b, c, value=2), i, i, i[0], no_grad=[0, 1, 2])
    check(lambda L, a, b: L.kron(a, b), i, i, no_grad=[0, 1])
    check(lambda L, a, b, c: L.addmm(a, b, c), i, i, i, no_grad=[0, 1, 2])


def test_beta_zero_ignores_nan_in_input() -> None:
    a = np.full((2, 2), np.nan)
    b, c = R(2, 3), R(3, 2)
    out = [L.addmm(L.tensor(a), L.tensor(b), L.tensor(c), beta=0) for L in (torch, mlplab)]
    assert_close(out[1], out[0])
    assert not np.isnan(out[1].numpy()).any()


INPLACE = [
    ("addmm_", lambda t, a, b: t.addmm_(a, b, beta=0.5), R(2, 4), (R(2, 3), R(3, 4))),
    ("addmv_", lambda t, a, b: t.addmv_(a, b, alpha=2), R(3), (R(3, 4), R(4))),
    ("addr_", lambda t, a, b: t.addr_(a, b), R(3, 4), (R(3), R(4))),
    ("addbmm_", lambda t, a, b: t.addbmm_(a, b), R(2, 4), (R(5, 2, 3), R(5, 3, 4))),
    ("baddbmm_", lambda t, a, b: t.baddbmm_(a, b, beta=2, alpha=0.5), R(5, 2, 4), (R(5, 2, 3), R(5, 3, 4))),
]


@pytest.mark.parametrize("case", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_forms_match_torch(case: tuple) -> None:
    name, fn, a, ops = case
    res = []
    for L in (torch, mlplab):
        x = L.tensor(a, requires_grad=True)
        others = [L.tensor(o, requires_grad=True) for o in ops]
        y = x * 1.5
        assert fn(y, *others) is y
        y.backward(L.tensor(np.linspace(-1, 1, y.numel()).reshape(y.shape)))
        res.append((y, x.grad, [o.grad for o in others]))
    (ty, tg, tog), (my, mg, mog) = res
    assert_close(my, ty)
    assert_close(mg, tg, "grad of self")
    for m, t in zip(mog, tog):
        assert_close(m, t, "grad of an operand")


# torch 2.13's text (its C++ warning fires once per process, so it cannot be caught again here)
CHAIN_MATMUL_WARNING = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters."
)


def test_chain_matmul_warns_as_torch() -> None:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        mlplab.chain_matmul(mlplab.ones(2, 3), mlplab.ones(3, 2))
    assert [(x.category, str(x.message)) for x in w] == [(UserWarning, CHAIN_MATMUL_WARNING)]


ERRORS: list[tuple[str, Callable, tuple]] = [
    ("addmm shapes", lambda L, a, b, c: L.addmm(a, b, c), (R(2, 2), R(2, 3), R(4, 2))),
    ("addmm vector", lambda L, a, b, c: L.addmm(a, b, c), (R(2), R(3), R(3, 2))),
    ("addmm input shape", lambda L, a, b, c: L.addmm(a, b, c), (R(3, 3), R(2, 3), R(3, 2))),
    ("mv shapes", lambda L, a, b: L.mv(a, b), (R(2, 3), R(4))),
    ("mv matrix", lambda L, a, b: L.mv(a, b), (R(2, 3), R(2, 3))),
    ("addmv dims", lambda L, a, b, c: L.addmv(a, b, c), (R(2), R(2, 3), R(4))),
    ("addr matrix", lambda L, a, b, c: L.addr(a, b, c), (R(2, 3), R(2, 3), R(3))),
    ("bmm 2-D", lambda L, a, b, c: L.baddbmm(a, b, c), (R(1), R(2, 3), R(2, 3))),
    ("baddbmm batch2", lambda L, a, b, c: L.baddbmm(a, b, c), (R(1), R(2, 3, 4), R(2, 5, 4))),
    ("ger matrix", lambda L, a, b: L.ger(a, b), (R(2), R(2, 2))),
    ("ger matrix self", lambda L, a, b: a.ger(b), (R(2, 2), R(2))),
    ("tensordot list lengths", lambda L, a, b: L.tensordot(a, b, ([1], [0, 1])), (R(2, 3), R(3, 2))),
    ("trace vector", lambda L, a: L.trace(a), (R(3),)),
    ("tensordot sizes", lambda L, a, b: L.tensordot(a, b, 1), (R(2, 3), R(4, 2))),
    ("inner sizes", lambda L, a, b: L.inner(a, b), (R(2, 3), R(4, 2))),
    (
        "addcdiv ints",
        lambda L, a, b, c: L.addcdiv(a, b, c),
        (np.ones(2, int), np.ones(2, int), np.ones(2, int)),
    ),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_torchs_error(case: tuple) -> None:
    name, fn, inputs = case
    t, m = errors_of_both(fn, inputs)
    assert str(m) == str(t)
