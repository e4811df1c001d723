"""Top-level functions and Tensor methods added for PyTorch compatibility, against torch 2.13:
values, gradients (float64 and float32) and gradcheck; keyword calls with torch's names; NumPy's
``axis``/``keepdims`` aliases; the non-differentiable helpers (sort indices, unique, bincount ...)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, rand

import mlplab

rs = np.random.RandomState(7)
R = lambda *shape: rand(rs, shape)  # noqa: E731
IDX = np.array([[0, 2, 1], [1, 0, 2]])
# (name, fn(lib, *inputs), inputs): each is differentiable in its float inputs
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("cumsum dim 1", lambda L, x: L.cumsum(x, 1), (rand(rs, (3, 4)),)),
    ("cumsum dim 0 method", lambda L, x: x.cumsum(dim=0), (rand(rs, (3, 4)),)),
    ("einsum ij,jk->ik", lambda L, a, b: L.einsum("ij,jk->ik", a, b), (rand(rs, (3, 4)), rand(rs, (4, 2)))),
    ("einsum bi,bi->b", lambda L, a, b: L.einsum("bi,bi->b", a, b), (rand(rs, (5, 3)), rand(rs, (5, 3)))),
    ("einsum implicit ij,jk", lambda L, a, b: L.einsum("ij,jk", a, b), (rand(rs, (2, 3)), rand(rs, (3, 2)))),
    ("einsum sum-out ij->", lambda L, a: L.einsum("ij->", a), (rand(rs, (2, 3)),)),
    ("einsum outer i,j->ij", lambda L, a, b: L.einsum("i,j->ij", [a, b]), (rand(rs, (3,)), rand(rs, (2,)))),
    ("einsum ij,k->i", lambda L, a, b: L.einsum("ij,k->i", a, b), (rand(rs, (2, 3)), rand(rs, (4,)))),
    ("outer", lambda L, a, b: L.outer(a, b), (rand(rs, (3,)), rand(rs, (4,)))),
    ("diag of vector", lambda L, a: L.diag(a), (rand(rs, (3,)),)),
    ("diag of vector, k=1", lambda L, a: L.diag(a, 1), (rand(rs, (3,)),)),
    ("diag of vector, k=-2", lambda L, a: a.diag(-2), (rand(rs, (2,)),)),
    ("diag of matrix", lambda L, a: L.diag(a), (rand(rs, (3, 4)),)),
    ("diag of matrix, k=1", lambda L, a: L.diag(a, diagonal=1), (rand(rs, (3, 4)),)),
    ("diag of matrix, k=-1", lambda L, a: a.diag(-1), (rand(rs, (4, 3)),)),
    ("tril", lambda L, a: L.tril(a), (rand(rs, (3, 4)),)),
    ("tril -1", lambda L, a: a.tril(-1), (rand(rs, (4, 4)),)),
    ("triu 1", lambda L, a: L.triu(a, diagonal=1), (rand(rs, (3, 4)),)),
    ("flip", lambda L, a: L.flip(a, (0, 1)), (rand(rs, (3, 4)),)),
    ("flip method", lambda L, a: a.flip(1), (rand(rs, (3, 4)),)),
    ("roll flat", lambda L, a: L.roll(a, 2), (rand(rs, (3, 4)),)),
    ("roll dims", lambda L, a: a.roll((1, -1), (0, 1)), (rand(rs, (3, 4)),)),
    ("repeat", lambda L, a: a.repeat(2, 3), (rand(rs, (2, 3)),)),
    ("repeat new dim", lambda L, a: a.repeat(2, 1, 2), (rand(rs, (2, 3)),)),
    ("tile", lambda L, a: L.tile(a, (2,)), (rand(rs, (2, 3)),)),
    ("index_select", lambda L, a, i: L.index_select(a, 1, i), (rand(rs, (3, 4)), np.array([3, 0, 3]))),
    ("split int", lambda L, a: L.cat([p * (k + 1) for k, p in enumerate(L.split(a, 2))]), (R(5, 2),)),
    ("split sizes", lambda L, a: L.stack([p.sum() for p in a.split([1, 3], 1)]), (rand(rs, (2, 4)),)),
    ("chunk", lambda L, a: L.cat([p * (k + 1) for k, p in enumerate(L.chunk(a, 3, 1))], 1), (R(2, 5),)),
    ("scatter src", lambda L, a, s, i: L.scatter(a, 1, i, s), (rand(rs, (2, 4)), rand(rs, (2, 3)), IDX)),
    ("scatter value", lambda L, a, i: a.scatter(1, i, 2.5), (rand(rs, (2, 4)), IDX)),
    ("scatter dim 0", lambda L, a, s, i: a.scatter(0, i, s), (rand(rs, (3, 3)), rand(rs, (2, 3)), IDX % 3)),
    ("scatter_add dup", lambda L, a, s, i: L.scatter_add(a, 1, i, s),
     (rand(rs, (2, 3)), rand(rs, (2, 4)), np.array([[0, 0, 2, 0], [1, 2, 1, 1]]))),
    ("sort values", lambda L, a: L.sort(a, dim=1).values, (rand(rs, (3, 5)),)),
    ("sort descending", lambda L, a: a.sort(0, descending=True)[0], (rand(rs, (4, 3)),)),
    ("topk values", lambda L, a: L.topk(a, 2).values, (rand(rs, (3, 5)),)),
    ("topk smallest dim 0", lambda L, a: a.topk(2, dim=0, largest=False)[0], (rand(rs, (4, 3)),)),
    ("gather keywords", lambda L, a, i: L.gather(input=a, dim=1, index=i), (rand(rs, (2, 3)), IDX)),
    ("where keywords", lambda L, a, b: L.where(condition=a > 0, input=a, other=b), (R(3), R(3))),
    ("matmul keywords", lambda L, a, b: L.matmul(input=a, other=b), (rand(rs, (2, 3)), rand(rs, (3, 2)))),
    ("add keywords", lambda L, a, b: L.add(input=a, other=b, alpha=2), (rand(rs, (2, 3)), rand(rs, (3,)))),
    ("mm mat2", lambda L, a, b: L.mm(a, mat2=b), (rand(rs, (2, 3)), rand(rs, (3, 2)))),
    ("clamp keywords", lambda L, a: L.clamp(input=a, min=-0.5, max=0.5), (rand(rs, (3, 4)),)),
    ("pow exponent", lambda L, a: L.pow(input=a, exponent=3), (rand(rs, (3,)),)),
    ("sum axis", lambda L, a: L.sum(a, axis=1), (rand(rs, (3, 4)),)),
    ("sum axis keepdims", lambda L, a: a.sum(axis=0, keepdims=True), (rand(rs, (3, 4)),)),
    ("mean axis", lambda L, a: L.mean(a, axis=(0, 1)), (rand(rs, (3, 4)),)),
    ("max axis values", lambda L, a: L.max(a, axis=1).values, (rand(rs, (3, 4)),)),
    ("amax axis", lambda L, a: a.amax(axis=1, keepdims=True), (rand(rs, (3, 4)),)),
    ("std axis", lambda L, a: L.std(a, axis=1), (rand(rs, (3, 4)),)),
    ("var correction=0", lambda L, a: a.var(dim=1, correction=0), (rand(rs, (3, 4)),)),
    ("std unbiased=False keepdim", lambda L, a: L.std(a, 0, False, True), (rand(rs, (3, 4)),)),
    ("logsumexp axis", lambda L, a: L.logsumexp(a, axis=1), (rand(rs, (3, 4)),)),
    ("norm dim", lambda L, a: L.norm(a, dim=1), (rand(rs, (3, 4)),)),
    ("linalg.norm", lambda L, a: L.linalg.norm(a), (R(3, 4),)),
    ("linalg.norm dim", lambda L, a: L.linalg.norm(a, dim=1, keepdim=True), (R(3, 4),)),
    ("linalg.norm ord 3 vector", lambda L, a: L.linalg.norm(a, 3), (R(5),)),
    ("linalg.norm fro", lambda L, a: L.linalg.norm(input=a, ord="fro"), (R(3, 4),)),
    ("linalg.vector_norm ord 1", lambda L, a: L.linalg.vector_norm(a, 1, dim=0), (R(3, 4),)),
    ("linalg.vector_norm", lambda L, a: L.linalg.vector_norm(a), (R(3, 4),)),
    ("softmax axis", lambda L, a: L.softmax(a, axis=1), (R(3, 4),)),
    ("log_softmax method axis", lambda L, a: a.log_softmax(axis=0), (R(3, 4),)),
    ("cat axis", lambda L, a, b: L.cat([a, b], axis=1), (R(3, 2), R(3, 4))),
    ("stack axis", lambda L, a, b: L.stack((a, b), axis=1), (R(3, 2), R(3, 2))),
    ("softmax dtype", lambda L, a: L.softmax(a, 1, dtype=L.float64), (rand(rs, (3, 4)),)),
]  # fmt: skip


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_differentiable_function_matches_torch(case: tuple, dtype: type) -> None:
    check(case[1], *case[2], dtype=dtype)


def _pair(a: np.ndarray) -> tuple:
    return mlplab.tensor(a), torch.tensor(a)


NON_DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("sort indices", lambda L, a: L.sort(a, 1).indices, (rand(rs, (3, 5)),)),
    ("argsort", lambda L, a: L.argsort(a, dim=0), (rand(rs, (4, 3)),)),
    ("argsort descending", lambda L, a: a.argsort(descending=True), (rand(rs, (3, 5)),)),
    ("topk indices", lambda L, a: L.topk(a, 3, dim=0).indices, (rand(rs, (5, 2)),)),
    ("unique", lambda L, a: L.unique(a), (np.array([3, 1, 2, 1, 3]),)),
    ("unique inverse", lambda L, a: L.unique(a, return_inverse=True)[1], (np.array([[3, 1], [2, 1]]),)),
    ("unique counts", lambda L, a: a.unique(return_counts=True)[1], (np.array([3, 1, 2, 1, 3]),)),
    ("unique dim", lambda L, a: L.unique(a, dim=0), (np.array([[1, 2], [0, 1], [1, 2]]),)),
    ("bincount", lambda L, a: L.bincount(a), (np.array([0, 1, 1, 4]),)),
    ("bincount minlength", lambda L, a: a.bincount(minlength=7), (np.array([0, 1, 1, 4]),)),
    ("bincount weights", lambda L, a: L.bincount(a, L.tensor([0.5, 1.0, 2.0])), (np.array([2, 0, 2]),)),
    ("histc", lambda L, a: L.histc(a, bins=4, min=0, max=3), (np.array([1.0, 2.0, 1.0, 5.0, 0.0]),)),
    ("histc data range", lambda L, a: a.histc(5), (rand(rs, (20,)),)),
    ("count_nonzero", lambda L, a: L.count_nonzero(a), (np.array([[0, 1], [2, 0]]),)),
    ("count_nonzero dim", lambda L, a: a.count_nonzero(dim=0), (np.array([[0, 1], [2, 3]]),)),
    ("isclose", lambda L, a: L.isclose(a, a + 1e-6), (rand(rs, (4,)),)),
    ("isinf", lambda L, a: L.isinf(a), (np.array([np.inf, -np.inf, np.nan, 0.0]),)),
    ("div floor", lambda L, a: L.div(a, 0.7, rounding_mode="floor"), (rand(rs, (5,)),)),
    ("div trunc", lambda L, a: a.div(0.7, rounding_mode="trunc"), (rand(rs, (5,)),)),
    ("int div floor", lambda L, a: L.div(a, 3, rounding_mode="floor"), (np.array([-7, 7, 5]),)),
    ("argmax axis", lambda L, a: L.argmax(a, axis=1), (rand(rs, (3, 4)),)),
    ("argmin axis keepdims", lambda L, a: a.argmin(axis=1, keepdims=True), (rand(rs, (3, 4)),)),
    ("all axis", lambda L, a: L.all(a > -1, axis=1), (rand(rs, (3, 4)),)),
    ("any axis", lambda L, a: (a > 1).any(axis=0), (rand(rs, (3, 4)),)),
    ("cumsum of ints", lambda L, a: L.cumsum(a, 0), (np.array([1, 2, 3]),)),
    ("where(condition)", lambda L, a: L.where(a > 0)[1], (rand(rs, (3, 4)),)),
]


@pytest.mark.parametrize("case", NON_DIFFERENTIABLE, ids=[c[0] for c in NON_DIFFERENTIABLE])
def test_function_matches_torch(case: tuple) -> None:
    pairs = [_pair(a) for a in case[2]]
    m = case[1](mlplab, *[p[0] for p in pairs])
    t = case[1](torch, *[p[1] for p in pairs])
    assert_close(m, t)


def test_allclose_equal_and_item_like_paths() -> None:
    a = np.array([1.0, np.nan])
    (m, t) = _pair(a)
    assert mlplab.allclose(m, m, equal_nan=True) == torch.allclose(t, t, equal_nan=True)
    assert mlplab.allclose(m, m) == torch.allclose(t, t)
    assert mlplab.equal(input=m, other=m) == torch.equal(input=t, other=t)
    assert m.tolist()[0] == t.tolist()[0] and mlplab.numel(input=m) == torch.numel(input=t)


def test_sort_and_topk_return_named_pairs() -> None:
    m, t = _pair(np.array([3.0, 1.0, 2.0]))
    assert repr(mlplab.sort(m)).replace("mlplab", "torch") == repr(torch.sort(t))
    assert repr(m.topk(2)).replace("mlplab", "torch") == repr(t.topk(2))


def test_scatter_and_scatter_add_in_place_match_torch() -> None:
    idx = np.array([[0, 2], [1, 1]])
    for name in ("scatter_", "scatter_add_"):
        m, t = _pair(np.zeros((2, 3)))
        src = np.array([[1.0, 2.0], [3.0, 4.0]])
        assert getattr(m, name)(1, mlplab.tensor(idx), mlplab.tensor(src)) is m
        getattr(t, name)(1, torch.tensor(idx), torch.tensor(src))
        assert_close(m, t)


def test_axis_with_dim_is_refused() -> None:
    with pytest.raises(TypeError, match="axis"):
        mlplab.ones(2, 3).sum(dim=0, axis=1)


def test_clamp_in_place_matches_torch() -> None:
    m, t = _pair(np.array([-2.0, 0.5, 3.0]))
    m.clamp_(min=-1, max=1)
    t.clamp_(min=-1, max=1)
    assert_close(m, t)


def test_normal_keywords_and_tensor_parameters() -> None:
    mlplab.manual_seed(0)
    w = mlplab.normal(0, 0.01, size=(2, 3), requires_grad=True)
    assert w.shape == (2, 3) and w.requires_grad and w.is_leaf and w.dtype == mlplab.float32
    g = mlplab.Generator().manual_seed(3)
    a = mlplab.normal(2.0, 3.0, (4,), generator=g)
    b = mlplab.normal(2.0, 3.0, (4,), generator=mlplab.Generator().manual_seed(3))
    assert a.tolist() == b.tolist()
    mean = mlplab.zeros(2, 1, dtype=mlplab.float64)
    r = mlplab.normal(mean, mlplab.ones(3, dtype=mlplab.float64))
    rt = torch.normal(torch.zeros(2, 1, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    assert r.shape == tuple(rt.shape) and r.dtype == mlplab.float64
    big = mlplab.normal(mlplab.full((20000,), 5.0), 2.0)
    assert abs(big.mean().item() - 5.0) < 0.1 and abs(big.std().item() - 2.0) < 0.1
    with pytest.raises(TypeError, match="size"):
        mlplab.normal(0.0, 1.0)


def test_tensor_valued_normal_has_torchs_zero_gradient() -> None:
    m = mlplab.zeros(3, requires_grad=True)
    s = mlplab.ones(3, requires_grad=True)
    out = mlplab.normal(m, s)
    ref = torch.normal(torch.zeros(3, requires_grad=True), torch.ones(3, requires_grad=True))
    assert out.grad_fn.name() == ref.grad_fn.name()
    out.sum().backward()
    assert m.grad.tolist() == [0.0] * 3 and s.grad.tolist() == [0.0] * 3


FACTORY_KEYWORDS: list[tuple[str, Callable]] = [
    ("zeros", lambda L: L.zeros(2, 3, dtype=L.float64, requires_grad=True)),
    ("ones size tuple", lambda L: L.ones((2,), dtype=L.int32)),
    ("full", lambda L: L.full((2, 2), 7, dtype=L.float32, requires_grad=True)),
    ("eye", lambda L: L.eye(2, 3, dtype=L.float64)),
    ("arange float", lambda L: L.arange(0, 1, 0.25, dtype=L.float64)),
    ("linspace", lambda L: L.linspace(0, 1, steps=5, dtype=L.float64)),
    ("logspace", lambda L: L.logspace(0, 2, 3)),
    ("logspace base", lambda L: L.logspace(0, 3, 4, base=2, dtype=L.float64)),
    ("zeros_like", lambda L: L.zeros_like(L.ones(2, dtype=L.int32), dtype=L.float64)),
    ("ones_like", lambda L: L.ones_like(input=L.ones(2), requires_grad=True)),
    ("full_like", lambda L: L.full_like(L.ones(2, 2), 3.5, dtype=L.float64)),
    ("empty_like shape", lambda L: L.empty_like(L.ones(2, 3), dtype=L.int64).shape),
    ("rand_like shape", lambda L: L.rand_like(L.ones(2, 3), dtype=L.float64).dtype),
    ("tensor", lambda L: L.tensor([1, 2], dtype=L.float32, requires_grad=True)),
    ("as_tensor", lambda L: L.as_tensor([1, 2], dtype=L.float64)),
    ("from_numpy", lambda L: L.from_numpy(np.arange(3))),
    ("new_zeros", lambda L: L.ones(2, dtype=L.float64).new_zeros(2, 3)),
    ("new_ones size tuple", lambda L: L.ones(2).new_ones((3,), dtype=L.int32)),
    ("new_full", lambda L: L.ones(2, dtype=L.int64).new_full((2, 2), 7)),
    ("new_empty shape", lambda L: L.ones(2).new_empty(2, 4).shape),
    ("new_tensor", lambda L: L.ones(2, dtype=L.float64).new_tensor([1, 2], requires_grad=True)),
    ("randint dtype", lambda L: L.randint(0, 5, (3,), dtype=L.int32).dtype),
    ("randperm dtype", lambda L: L.randperm(4, dtype=L.int32).dtype),
]


@pytest.mark.parametrize("case", FACTORY_KEYWORDS, ids=[c[0] for c in FACTORY_KEYWORDS])
def test_factory_keywords_match_torch(case: tuple) -> None:
    m, t = case[1](mlplab), case[1](torch)
    if isinstance(t, torch.Tensor):
        assert_close(m, t)
        assert m.requires_grad == t.requires_grad and m.is_leaf
    else:
        assert str(m).replace("mlplab", "torch") == str(t)


def test_out_keyword_of_factories() -> None:
    o = mlplab.empty(0)
    assert mlplab.zeros(2, 3, out=o) is o and o.shape == (2, 3) and o.sum().item() == 0
    assert mlplab.arange(4, out=o) is o and o.tolist() == [0, 1, 2, 3]
    g1, g2 = mlplab.Generator().manual_seed(1), mlplab.Generator().manual_seed(1)
    assert mlplab.randn(3, generator=g1).tolist() == mlplab.randn(3, generator=g2).tolist()


def test_matrix_norms_beyond_frobenius_are_torchs() -> None:
    """(Refused until branch c-misc; tests/test_matrix_norm.py checks them all.)"""
    a = [[1.0, -2.0], [3.0, 0.5]]
    assert (
        mlplab.linalg.norm(mlplab.tensor(a), ord=1).item() == torch.linalg.norm(torch.tensor(a), ord=1).item()
    )
