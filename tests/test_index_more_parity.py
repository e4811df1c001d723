"""index_add/index_copy/index_fill (+ in place), repeat_interleave, tril/triu_indices,
searchsorted, bucketize, isin and cdist against torch 2.13: values, gradients, gradcheck, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, rand

import mlplab

rs = np.random.RandomState(41)
R = lambda *shape: rand(rs, shape)  # noqa: E731
I3 = np.array([2, 0, 2])
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("index_add dim 0", lambda L, a, i, s: L.index_add(a, 0, i, s), (R(4, 3), I3, R(3, 3))),
    ("index_add dim 1 alpha", lambda L, a, i, s: a.index_add(1, i, s, alpha=2.5), (R(2, 4), I3, R(2, 3))),
    ("index_copy", lambda L, a, i, s: L.index_copy(a, 0, i, s), (R(4, 3), np.array([3, 0]), R(2, 3))),
    ("index_copy dim 1", lambda L, a, i, s: a.index_copy(1, i, s), (R(2, 4), np.array([1, 3]), R(2, 2))),
    ("index_fill", lambda L, a, i: L.index_fill(a, 1, i, -2.0), (R(3, 4), np.array([0, 2]))),
    ("repeat_interleave int", lambda L, a: L.repeat_interleave(a, 2), (R(2, 3),)),
    ("repeat_interleave dim", lambda L, a: a.repeat_interleave(3, dim=1), (R(2, 3),)),
    ("repeat_interleave tensor", lambda L, a, r: a.repeat_interleave(r, 0), (R(3, 2), np.array([1, 0, 2]))),
    ("cdist", lambda L, a, b: L.cdist(a, b), (R(4, 3), R(5, 3))),
    ("cdist p=1 batched", lambda L, a, b: L.cdist(a, b, p=1.0), (R(2, 4, 3), R(2, 5, 3))),
    ("cdist p=3", lambda L, a, b: L.cdist(a, b, 3.0), (R(4, 3), R(2, 3))),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_matches_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    check(fn, *inputs, dtype=dtype)


def test_inplace_index_ops_match_torch() -> None:
    a, s = R(4, 3), R(3, 3)
    for f in (
        lambda L, x, i, y: x.index_add_(0, i, y, alpha=2),
        lambda L, x, i, y: x.index_copy_(0, L.tensor([1, 3, 0]), y),
        lambda L, x, i, y: x.index_fill_(1, L.tensor([0, 2]), 7.0),
    ):
        res = []
        for L in (torch, mlplab):
            w, y = L.tensor(a, requires_grad=True), L.tensor(s, requires_grad=True)
            x = w * 1.0
            assert f(L, x, L.tensor(I3), y) is x
            x.backward(L.tensor(np.arange(12.0).reshape(4, 3)))
            res.append((x, w.grad, y.grad))
        for m, t in zip(res[1], res[0]):
            if t is None:
                assert m is None
            else:
                assert_close(m, t)


def test_integer_results_match_torch() -> None:
    seq = np.array([1.0, 3.0, 3.0, 7.0])
    vals = np.array([[0.0, 3.0, 5.0], [7.0, 8.0, 1.0]])
    rows = np.array([[1.0, 2.0, 3.0], [0.0, 5.0, 9.0]])
    cases = [
        lambda L: L.searchsorted(L.tensor(seq), L.tensor(vals)),
        lambda L: L.searchsorted(L.tensor(seq), L.tensor(vals), right=True),
        lambda L: L.searchsorted(L.tensor(seq), L.tensor(vals), side="right", out_int32=True),
        lambda L: L.searchsorted(L.tensor(rows), L.tensor(vals)),
        lambda L: L.searchsorted(L.tensor([3.0, 1.0, 2.0]), L.tensor([2.5]), sorter=L.tensor([1, 2, 0])),
        lambda L: L.bucketize(L.tensor(vals), L.tensor(seq)),
        lambda L: L.bucketize(L.tensor(vals), L.tensor(seq), right=True),
        lambda L: L.isin(L.tensor(vals), L.tensor(seq)),
        lambda L: L.isin(L.tensor([1, 2, 3]), L.tensor([2, 9]), invert=True),
        lambda L: L.tril_indices(3, 4),
        lambda L: L.tril_indices(4, 3, -1),
        lambda L: L.triu_indices(3, 3, 1),
        lambda L: L.triu_indices(2, 5, offset=-1, dtype=L.int32),
        lambda L: L.repeat_interleave(L.tensor([[1, 2], [3, 4]]), L.tensor([2, 1]), dim=0),
        lambda L: L.index_add(L.zeros(3, dtype=L.int64), 0, L.tensor([0, 0, 2]), L.tensor([1, 2, 3])),
    ]
    for f in cases:
        assert_close(f(mlplab), f(torch))


ERRORS: list[tuple[str, Callable]] = [
    ("cdist 1-D", lambda L: L.cdist(L.ones(3), L.ones(2, 3))),
    ("cdist columns", lambda L: L.cdist(L.ones(2, 3), L.ones(2, 4))),
    ("index_add count", lambda L: L.index_add(L.ones(3, 2), 0, L.tensor([0, 1]), L.ones(3, 2))),
    ("repeat_interleave negative", lambda L: L.repeat_interleave(L.ones(2), L.tensor([1, -1]))),
    ("bucketize 2-D boundaries", lambda L: L.bucketize(L.ones(2), L.ones(2, 2))),
    ("index_add float index", lambda L: L.index_add(L.ones(3), 0, L.tensor([0.0]), L.ones(1))),
    ("index_add 2-D index", lambda L: L.index_add(L.ones(3), 0, L.tensor([[0]]), L.ones(1))),
    ("index_copy count", lambda L: L.index_copy(L.ones(3, 2), 0, L.tensor([0]), L.ones(2, 2))),
    ("index_copy 2-D index", lambda L: L.index_copy(L.ones(3), 0, L.tensor([[0]]), L.ones(1))),
    ("index_copy float index", lambda L: L.index_copy(L.ones(3), 0, L.tensor([0.0]), L.ones(1))),
    ("index_fill 2-D index", lambda L: L.index_fill(L.ones(3), 0, L.tensor([[0]]), 1.0)),
    ("index_fill float index", lambda L: L.index_fill(L.ones(3), 0, L.tensor([0.0]), 1.0)),
    ("take int32 index", lambda L: L.take(L.ones(3), L.tensor([0], dtype=L.int32))),
    ("searchsorted side", lambda L: L.searchsorted(L.ones(2), L.ones(2), side="middle")),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_torchs_error(case: tuple) -> None:
    name, fn = case
    caught = []
    for L in (torch, mlplab):
        with pytest.raises(Exception) as e:
            fn(L)
        caught.append(e.value)
    t, m = caught
    assert type(m) is type(t), f"{type(m).__name__} vs torch {type(t).__name__}: {m}"
    assert str(m) == str(t)
