"""Dimension handling, stacking and selection added for torch compatibility (movedim, swapaxes,
ravel, flipud/fliplr, rot90, unflatten, broadcast_to/tensors/shapes, nonzero, argwhere,
masked_select, take, t, detach, atleast_nd, hstack/vstack/dstack/column_stack/row_stack,
concatenate) and the introspection methods, against torch 2.13."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, errors_of_both, rand

import mlplab

rs = np.random.RandomState(31)
R = lambda *shape: rand(rs, shape)  # noqa: E731
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("movedim", lambda L, a: L.movedim(a, 0, 2), (R(2, 3, 4),)),
    ("movedim lists", lambda L, a: L.movedim(a, (0, 1), (2, 0)), (R(2, 3, 4),)),
    ("moveaxis method", lambda L, a: a.moveaxis(-1, 0), (R(2, 3, 4),)),
    ("swapaxes", lambda L, a: L.swapaxes(a, 0, 2), (R(2, 3, 4),)),
    ("swapdims method", lambda L, a: a.swapdims(1, -1), (R(2, 3, 4),)),
    ("ravel", lambda L, a: L.ravel(a), (R(2, 3),)),
    ("flipud", lambda L, a: L.flipud(a), (R(3, 2),)),
    ("fliplr", lambda L, a: a.fliplr(), (R(3, 2),)),
    ("rot90", lambda L, a: L.rot90(a), (R(2, 3),)),
    ("rot90 k=2", lambda L, a: L.rot90(a, 2, (1, 2)), (R(2, 3, 4),)),
    ("rot90 k=-1", lambda L, a: a.rot90(-1, [0, 1]), (R(2, 3),)),
    ("rot90 k=3", lambda L, a: a.rot90(3), (R(2, 3),)),
    ("unflatten", lambda L, a: L.unflatten(a, 1, (2, 3)), (R(4, 6),)),
    ("unflatten -1", lambda L, a: a.unflatten(-1, (3, -1)), (R(4, 6),)),
    ("broadcast_to", lambda L, a: L.broadcast_to(a, (2, 3, 4)), (R(3, 1),)),
    (
        "broadcast_tensors",
        lambda L, a, b: L.broadcast_tensors(a, b)[0] * L.broadcast_tensors(a, b)[1],
        (R(3, 1), R(4)),
    ),
    ("masked_select", lambda L, a, m: L.masked_select(a, m), (R(3, 4), np.array([True, False, True, True]))),
    ("take", lambda L, a, i: L.take(a, i), (R(3, 4), np.array([[0, 11], [5, -1]]))),
    ("t", lambda L, a: L.t(a), (R(3, 4),)),
    ("atleast_1d 0-d", lambda L, a: L.atleast_1d(a), (R(),)),
    ("atleast_2d", lambda L, a: L.atleast_2d(a), (R(3),)),
    ("atleast_3d 2-d", lambda L, a: L.atleast_3d(a), (R(2, 3),)),
    ("atleast_3d 1-d", lambda L, a: L.atleast_3d(a), (R(3),)),
    ("hstack 1-d", lambda L, a, b: L.hstack([a, b]), (R(3), R(2))),
    ("hstack 2-d", lambda L, a, b: L.hstack((a, b)), (R(3, 1), R(3, 2))),
    ("vstack", lambda L, a, b: L.vstack([a, b]), (R(3), R(2, 3))),
    ("row_stack", lambda L, a, b: L.row_stack([a, b]), (R(3), R(3))),
    ("dstack", lambda L, a, b: L.dstack([a, b]), (R(2, 3), R(2, 3))),
    ("column_stack", lambda L, a, b: L.column_stack([a, b]), (R(3), R(3, 2))),
    ("concatenate", lambda L, a, b: L.concatenate([a, b], 1), (R(2, 3), R(2, 1))),
    ("concatenate axis", lambda L, a, b: L.concatenate([a, b], axis=0), (R(2, 3), R(1, 3))),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_shape_function_matches_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    check(fn, *inputs, dtype=dtype)


def test_tuples_and_indices_match_torch() -> None:
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    for f in (lambda L, x: L.nonzero(x), lambda L, x: L.argwhere(x), lambda L, x: x.nonzero()):
        assert_close(f(mlplab, mlplab.tensor(a)), f(torch, torch.tensor(a)))
    for m, t in zip(
        mlplab.nonzero(mlplab.tensor(a), as_tuple=True), torch.nonzero(torch.tensor(a), as_tuple=True)
    ):
        assert_close(m, t)
    assert_close(mlplab.tensor(2.0).nonzero(as_tuple=True)[0], torch.tensor(2.0).nonzero(as_tuple=True)[0])
    ms = mlplab.atleast_2d(mlplab.tensor(1.0), mlplab.ones(3))
    ts = torch.atleast_2d(torch.tensor(1.0), torch.ones(3))
    assert [tuple(m.shape) for m in ms] == [tuple(t.shape) for t in ts]
    assert tuple(mlplab.broadcast_shapes((3, 1), (4,), 1)) == tuple(torch.broadcast_shapes((3, 1), (4,), 1))
    d = mlplab.detach(mlplab.ones(2, requires_grad=True))
    assert not d.requires_grad


def test_introspection_matches_torch() -> None:
    a = R(3, 4).astype(np.float32)
    tx, mx = torch.tensor(a), mlplab.tensor(a)
    for f in (
        lambda x: x.stride(),
        lambda x: x.t().stride(),
        lambda x: x.stride(1),
        lambda x: x.is_contiguous(),
        lambda x: x.t().is_contiguous(),
        lambda x: x[1:].storage_offset(),
        lambda x: x[:, 2:].storage_offset(),
        lambda x: x.nbytes,
        lambda x: x.itemsize,
        lambda x: x.ndimension(),
        lambda x: x.is_signed(),
        lambda x: (x > 0).is_signed(),
        lambda x: x.to(torch.uint8 if isinstance(x, torch.Tensor) else mlplab.uint8).is_signed(),
        lambda x: x[0, 0].is_nonzero(),
        lambda x: x.is_same_size(x[0]),
        lambda x: x.is_same_size(x * 2),
    ):
        assert f(mx) == f(tx)
    assert mx.data_ptr() == mx._data.__array_interface__["data"][0]
    assert mx[1:].data_ptr() - mx.data_ptr() == tx[1:].data_ptr() - tx.data_ptr()
    for L in (torch, mlplab):
        w = L.ones(2, requires_grad=True)
        y = w * 2
        assert not y.retains_grad and not w.retains_grad
        y.retain_grad()
        assert y.retains_grad
        with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
            w.is_nonzero()


ERRORS: list[tuple[str, Callable, tuple]] = [
    ("flipud 0-d", lambda L, a: L.flipud(a), (R(),)),
    ("fliplr 1-d", lambda L, a: L.fliplr(a), (R(3),)),
    ("rot90 same dims", lambda L, a: L.rot90(a, 1, (0, 0)), (R(2, 3),)),
    ("rot90 1-d", lambda L, a: L.rot90(a), (R(3),)),
    ("movedim repeated", lambda L, a: L.movedim(a, (0, 0), (1, 2)), (R(2, 3, 4),)),
    ("movedim lengths", lambda L, a: L.movedim(a, (0, 1), (1,)), (R(2, 3, 4),)),
    ("unflatten sizes", lambda L, a: L.unflatten(a, 1, (4, 2)), (R(2, 6),)),
    ("unflatten inferred", lambda L, a: L.unflatten(a, 1, (4, -1)), (R(2, 6),)),
    ("take out of range", lambda L, a, i: L.take(a, i), (R(2, 2), np.array([4]))),
    ("broadcast_shapes", lambda L, a: L.broadcast_shapes(a.shape, (4, 1, 5), (2, 1, 3)), (R(2, 1),)),
    ("broadcast_tensors", lambda L, a, b: L.broadcast_tensors(a, b), (R(2, 3), R(4))),
    ("masked_select float mask", lambda L, a, m: L.masked_select(a, m), (R(2), R(2))),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_torchs_error(case: tuple) -> None:
    name, fn, inputs = case
    t, m = errors_of_both(fn, inputs)
    assert str(m) == str(t)


SPLITS: list[tuple[str, Callable]] = [
    ("tensor_split sections", lambda L, a: L.tensor_split(a, 3)),
    ("tensor_split indices", lambda L, a: L.tensor_split(a, [1, 4], dim=1)),
    ("tensor_split tensor", lambda L, a: a.tensor_split(L.tensor([2, -1]), 1)),
    ("tensor_split past end", lambda L, a: a.tensor_split([2, 9], 1)),
    ("hsplit", lambda L, a: L.hsplit(a, 5)),
    ("hsplit indices", lambda L, a: a.hsplit([2, 3])),
    ("vsplit", lambda L, a: L.vsplit(a, 2)),
    ("dsplit", lambda L, a: L.dsplit(a.reshape(2, 2, 5), [1, 3])),
]


@pytest.mark.parametrize("case", SPLITS, ids=[c[0] for c in SPLITS])
def test_splits_match_torch(case: tuple) -> None:
    name, fn = case
    a = R(4, 5)
    grads = []
    for L in (torch, mlplab):
        x = L.tensor(a, requires_grad=True)
        parts = fn(L, x)
        sum(p.sum() * (k + 1) for k, p in enumerate(parts)).backward()
        grads.append((parts, x.grad))
    (tp, tg), (mp, mg) = grads
    assert len(mp) == len(tp)
    for m, t in zip(mp, tp):
        assert_close(m, t)
    assert_close(mg, tg)


SPLIT_ERRORS: list[tuple[str, Callable]] = [
    ("hsplit indivisible", lambda L: L.hsplit(L.ones(2, 5), 2)),
    ("tensor_split 0", lambda L: L.tensor_split(L.ones(4), 0)),
    ("vsplit 1-D", lambda L: L.vsplit(L.ones(5), 1)),
    ("dsplit 2-D", lambda L: L.dsplit(L.ones(2, 4), 2)),
]


@pytest.mark.parametrize("case", SPLIT_ERRORS, ids=[c[0] for c in SPLIT_ERRORS])
def test_split_errors_are_torchs(case: tuple) -> None:
    name, fn = case
    caught = []
    for L in (torch, mlplab):
        with pytest.raises(RuntimeError) as e:
            fn(L)
        caught.append(str(e.value))
    assert caught[1] == caught[0]


@pytest.mark.parametrize(
    "fn",
    [lambda y: y.t_(), lambda y: y.swapaxes_(0, 1), lambda y: y.swapdims_(1, 0)],
    ids=["t_", "swapaxes_", "swapdims_"],
)
def test_inplace_transposes_match_torch(fn: Callable) -> None:
    a = R(2, 3)
    res = []
    for L in (torch, mlplab):
        x = L.tensor(a, requires_grad=True)
        y = x * 2
        assert fn(y) is y
        (y * L.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
        z = L.tensor(a)
        fn(z)
        res.append((y, x.grad, z, z._version))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            fn(L.tensor(a, requires_grad=True))
    for m, t in zip(res[1][:3], res[0][:3]):
        assert_close(m, t)
    assert res[1][3] == res[0][3]
