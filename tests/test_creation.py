"""Tensor factories against PyTorch (dtype inference, shapes, values) and seeded randomness."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_parity import assert_close

import mlplab


def _m(v):
    if isinstance(v, torch.dtype):
        return getattr(mlplab, str(v).split(".")[1])
    return v


def same(fname, *args, **kw):
    t = getattr(torch, fname)(*args, **kw)
    m = getattr(mlplab, fname)(*args, **{k: _m(v) for k, v in kw.items()})
    assert_close(m, t, fname)
    assert m.requires_grad == t.requires_grad
    return m


@pytest.mark.parametrize(
    "data",
    [
        [1.0, 2.0],
        [1, 2],
        [True, False],
        [[1, 2.5], [3, 4]],
        [1, True],
        3.5,
        7,
        False,
        [],
        [[1.0], [2.0]],
        np.array([1.0, 2.0]),
        np.array([1, 2], dtype=np.int32),
        np.array([1.0], dtype=np.float32),
        np.float64(2.5),
        (1.0, 2.0),
    ],
    ids=range(15),
)
def test_tensor_dtype_inference(data):
    same("tensor", data)


def test_tensor_from_tensors_and_dtype_argument():
    same("tensor", [1, 2], dtype=torch.float64)
    same("tensor", [1.7, -2.7], dtype=torch.int64)
    same("tensor", [1.0, 2.0], requires_grad=True)
    t = mlplab.tensor([[1.0, 2.0]])
    c = mlplab.tensor(t)
    c[0, 0] = 5.0
    assert t[0, 0].item() == 1.0  # tensor() copies
    assert mlplab.tensor([mlplab.tensor(1.0), mlplab.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="ragged"):
        mlplab.tensor([[1, 2], [3]])


def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3)
    t = mlplab.from_numpy(a)
    a[0] = 1.0
    assert t.dtype is mlplab.float64 and t[0].item() == 1.0
    b = mlplab.as_tensor(a)
    b[1] = 2.0
    assert a[1] == 2.0
    assert mlplab.as_tensor(a, dtype=mlplab.float32).dtype is mlplab.float32
    x = mlplab.ones(2)
    assert mlplab.as_tensor(x) is x
    with pytest.raises(TypeError, match="expected np.ndarray"):
        mlplab.from_numpy([1.0])
    with pytest.raises(TypeError, match="can't convert"):
        mlplab.from_numpy(np.array(["a"]))


@pytest.mark.parametrize("fname", ["zeros", "ones", "empty"])
def test_filled_factories(fname):
    for args, kw in [
        ((2, 3), {}),
        (((2, 3),), {}),
        (([4],), {}),
        ((3,), {"dtype": torch.int64}),
        (((),), {}),
    ]:
        if fname == "empty":
            t = torch.empty(*args, **kw)
            m = mlplab.empty(*args, **{k: _m(v) for k, v in kw.items()})
            assert tuple(m.shape) == tuple(t.shape) and m.dtype.name == str(t.dtype).split(".")[1]
        else:
            same(fname, *args, **kw)
    same(fname if fname != "empty" else "zeros", 2, requires_grad=True)


def test_full_eye_arange_linspace():
    same("full", (2, 3), 1.5)
    same("full", (2,), 7)
    same("full", (2,), True)
    same("full", [3], 2.0, dtype=torch.float64)
    same("eye", 3)
    same("eye", 2, 4)
    same("eye", 3, dtype=torch.int64)
    same("arange", 5)
    same("arange", 1, 7, 2)
    same("arange", 0.0, 1.0, 0.25)
    same("arange", 0, 1, 0.1)
    same("arange", 5, dtype=torch.float32)
    same("arange", -3, 3)
    same("linspace", 0, 1, 5)
    same("linspace", -2.5, 2.5, 11)
    same("linspace", 0, 10, 3, dtype=torch.float64)


def test_like_factories():
    for x in (np.ones((2, 3)), np.ones(4, dtype=np.int64), np.ones(2, dtype=np.float32)):
        t, m = torch.tensor(x), mlplab.tensor(x)
        for f in ("zeros_like", "ones_like", "empty_like"):
            tm, mm = getattr(torch, f)(t), getattr(mlplab, f)(m)
            assert tuple(mm.shape) == tuple(tm.shape) and mm.dtype.name == str(tm.dtype).split(".")[1]
        assert_close(mlplab.full_like(m, 3), torch.full_like(t, 3))
        assert_close(mlplab.zeros_like(m, dtype=mlplab.float64), torch.zeros_like(t, dtype=torch.float64))
    m = mlplab.ones(2, 3)
    assert mlplab.rand_like(m).shape == (2, 3) and mlplab.randn_like(m).dtype is mlplab.float32
    r = mlplab.randint_like(m, 5)
    assert r.dtype is mlplab.float32 and r.min().item() >= 0 and r.max().item() < 5
    assert mlplab.ones_like(m, requires_grad=True).requires_grad


def test_random_factories_shapes_dtypes_ranges():
    mlplab.manual_seed(0)
    r = mlplab.rand(1000)
    assert r.dtype is mlplab.float32 and 0 <= r.min().item() and r.max().item() < 1
    assert abs(r.mean().item() - 0.5) < 0.05
    n = mlplab.randn(2000, dtype=mlplab.float64)
    assert n.dtype is mlplab.float64 and abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    assert mlplab.randn(2, 3).shape == (2, 3) and mlplab.rand((4, 1)).shape == (4, 1)
    i = mlplab.randint(0, 10, (50,))
    assert i.dtype is mlplab.int64 and 0 <= i.min().item() and i.max().item() < 10
    assert mlplab.randint(3, (2, 2)).shape == (2, 2)
    p = mlplab.randperm(10)
    assert p.dtype is mlplab.int64 and sorted(p.tolist()) == list(range(10))
    x = mlplab.normal(2.0, 0.5, (1000,))
    assert abs(x.mean().item() - 2.0) < 0.1
    assert mlplab.randn(3, requires_grad=True).requires_grad


def test_manual_seed_reproduces_and_generators_are_independent():
    mlplab.manual_seed(42)
    a = mlplab.randn(5).tolist()
    b = mlplab.rand(3).tolist()
    mlplab.manual_seed(42)
    assert mlplab.randn(5).tolist() == a and mlplab.rand(3).tolist() == b
    g1 = mlplab.Generator().manual_seed(7)
    g2 = mlplab.Generator().manual_seed(7)
    mlplab.manual_seed(0)
    x = mlplab.randn(4, generator=g1)
    mlplab.randn(100)  # the default generator does not disturb g2
    assert mlplab.randn(4, generator=g2).tolist() == x.tolist()
    assert mlplab.randperm(6, generator=g1).tolist() != []
    state = mlplab.get_rng_state()
    u = mlplab.rand(3).tolist()
    mlplab.set_rng_state(state)
    assert mlplab.rand(3).tolist() == u
    assert mlplab.manual_seed(3).initial_seed() == 3


def test_dtypes_and_aliases():
    assert mlplab.float is mlplab.float32 and mlplab.double is mlplab.float64
    assert mlplab.long is mlplab.int64 and mlplab.get_default_dtype() is mlplab.float32
    assert mlplab.float32.is_floating_point and not mlplab.int64.is_floating_point
    assert mlplab.bool.name == "bool" and repr(mlplab.int64) == "mlplab.int64"
    assert mlplab.is_tensor(mlplab.ones(1)) and not mlplab.is_tensor(np.ones(1))
