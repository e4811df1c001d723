"""Tensor surface against PyTorch: attributes, dtype promotion, repr, comparisons, in-place ops,
and the error messages for bad input."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch
from core_parity import assert_close, check

import mlplab


def pair(data, **kw):
    return torch.tensor(data, **kw), mlplab.tensor(data, **{k: _m(v) for k, v in kw.items()})


def _m(v):
    if isinstance(v, torch.dtype):
        return getattr(mlplab, str(v).split(".")[1])
    return v


def _name(d) -> str:
    return str(d).split(".")[-1]


# ---------------------------------------------------------------- attributes and conversions


def test_attributes():
    t, m = pair([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert tuple(m.shape) == tuple(t.shape) == (2, 3)
    assert m.shape == (2, 3) and repr(m.shape) == "mlplab.Size([2, 3])"
    assert m.size() == t.size() and m.size(1) == 3 and m.size(-2) == 2
    assert m.ndim == m.dim() == 2
    assert m.numel() == 6 and m.shape.numel() == 6
    assert m.dtype is mlplab.float32 and repr(m.dtype) == "mlplab.float32"
    assert m.tolist() == t.tolist()
    assert m[1, 2].item() == 6.0 and isinstance(m[1, 2].item(), float)
    assert mlplab.tensor([3]).item() == 3 and isinstance(mlplab.tensor([3]).item(), int)
    assert len(m) == 2 and [r.tolist() for r in m] == [r.tolist() for r in t]
    assert float(m[0, 0]) == 1.0 and int(m[1, 1]) == 5
    assert m.is_leaf and not m.requires_grad and m.grad is None and m.grad_fn is None
    assert m.is_floating_point() and not mlplab.tensor([1]).is_floating_point()
    assert m.device == mlplab.device("cpu") and str(m.device) == "cpu" and m.to("cpu") is m
    with pytest.raises(RuntimeError, match="6 elements cannot be converted to Scalar"):
        m.item()


def test_numpy_shares_memory_and_refuses_grad():
    m = mlplab.zeros(3)
    a = m.numpy()
    a[0] = 5.0
    assert m[0].item() == 5.0
    w = mlplab.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        w.numpy()
    assert w.detach().numpy() is not None


@pytest.mark.parametrize(
    "method,dt",
    [("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"), ("bool", "bool")],
)
def test_conversions(method, dt):
    for data in ([1.7, -2.2, 0.0], [1, 0, 3], [True, False, True]):
        t, m = pair(data)
        tc, mc = getattr(t, method)(), getattr(m, method)()
        assert _name(mc.dtype) == _name(tc.dtype) == dt
        np.testing.assert_array_equal(mc.numpy(), tc.numpy())


def test_type_and_to():
    m = mlplab.tensor([1.5, 2.5])
    assert m.type() == "mlplab.float32"
    assert m.type(mlplab.float64).dtype is mlplab.float64
    assert m.to(mlplab.int64).tolist() == [1, 2]
    assert m.to(dtype=mlplab.float64).dtype is mlplab.float64
    assert m.float() is m
    assert m.type_as(mlplab.tensor([1])).dtype is mlplab.int64


def test_double_keeps_graph():
    check(lambda L, x: (x.double() * 2).float(), np.array([1.0, 2.0]), dtype=np.float32)
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    w.double().sum().backward()
    assert w.grad.dtype is mlplab.float32


def test_detach_and_requires_grad():
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    y = w * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d[0] = 10.0  # shares memory, as in PyTorch
    assert y[0].item() == 10.0
    x = mlplab.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)
    assert not y.is_leaf and y.requires_grad


def test_data_property():
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    assert not w.data.requires_grad
    w.data.zero_()
    assert w.tolist() == [0.0, 0.0]
    w.data = mlplab.tensor([3.0, 4.0])
    assert w.tolist() == [3.0, 4.0] and w.requires_grad


def test_legacy_constructor():
    for args in ([[1, 2]], [np.array([1.0, 2.0])], [[True]]):
        t, m = torch.Tensor(*args), mlplab.Tensor(*args)
        assert_close(m, t)
    assert mlplab.Tensor(2, 3).shape == torch.Tensor(2, 3).shape
    assert mlplab.Tensor(2, 3).dtype is mlplab.float32
    assert mlplab.Tensor().shape == (0,)


# ---------------------------------------------------------------- dtype promotion

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
SCALARS = [2, 2.5, True, -3]
OPS = [operator.add, operator.sub, operator.mul, operator.truediv]


def _make(lib, dt, zero_dim):
    a = np.array(1 if zero_dim else [1, 2, 3]).astype(dt)
    if dt == "bool":
        a = a.astype(bool)
    return lib.tensor(a)


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.__name__)
def test_promotion_tensor_tensor(op):
    for da in DTYPES:
        for db in DTYPES:
            for za, zb in ((False, False), (True, False), (False, True)):
                if op is operator.sub and "bool" in (da, db):
                    continue  # PyTorch refuses bool subtraction
                t = op(_make(torch, da, za), _make(torch, db, zb))
                m = op(_make(mlplab, da, za), _make(mlplab, db, zb))
                assert _name(m.dtype) == _name(t.dtype), (op.__name__, da, za, db, zb)
                assert_close(m, t, f"{op.__name__} {da} {db}")


@pytest.mark.parametrize("op", OPS + [operator.pow], ids=lambda o: o.__name__)
def test_promotion_tensor_scalar(op):
    for da in DTYPES:
        for s in SCALARS:
            for rev in (False, True):
                if op is operator.sub and (da == "bool" or isinstance(s, bool)):
                    continue
                if op is operator.pow and (
                    isinstance(s, bool) or da == "bool" or (s == -3 and da != "float32" and da != "float64")
                ):
                    continue
                f = (lambda a, b: op(b, a)) if rev else op
                t = f(_make(torch, da, False), s)
                m = f(_make(mlplab, da, False), s)
                assert _name(m.dtype) == _name(t.dtype), (op.__name__, da, s, rev)
                assert_close(m, t, f"{op.__name__} {da} {s} rev={rev}")


def test_promotion_examples_from_the_issue():
    x = mlplab.ones(3)
    assert (x + 0.1).dtype is mlplab.float32
    assert (x * 2.5).dtype is mlplab.float32
    assert (mlplab.tensor([1, 2]) / 2).dtype is mlplab.float32
    assert (mlplab.tensor([1, 2]) + mlplab.ones(2)).dtype is mlplab.float32
    assert (mlplab.tensor([1, 2]) + 1.5).dtype is mlplab.float32
    assert (x.double() + x).dtype is mlplab.float64
    assert (x + mlplab.tensor(1.0, dtype=mlplab.float64)).dtype is mlplab.float32


def test_float64_default_dtype():
    mlplab.set_default_dtype(mlplab.float64)
    try:
        assert mlplab.tensor([1.0]).dtype is mlplab.float64
        assert (mlplab.tensor([1, 2]) / 2).dtype is mlplab.float64
        assert mlplab.zeros(2).dtype is mlplab.float64
        assert repr(mlplab.tensor([1.5])) == "tensor([1.5000])"
        assert repr(mlplab.tensor([1.5], dtype=mlplab.float32)) == "tensor([1.5000], dtype=mlplab.float32)"
    finally:
        mlplab.set_default_dtype(mlplab.float32)
    with pytest.raises(TypeError):
        mlplab.set_default_dtype(mlplab.int64)


# ---------------------------------------------------------------- repr


def _same_repr(t, m):
    assert repr(m).replace("mlplab.", "") == repr(t).replace("torch.", "")


REPR_DATA = [
    [[0.6219], [0.1234], [-0.5]],
    [1.0, 2.0, 3.0],
    [0.0, 0.0],
    [[1e-5, 1.0]],
    [1e10, 1.0],
    3.14159,
    [0.1, 1000.0],
    [0.1, 1001.0],
    [float("nan"), 1.0],
    [float("inf"), -1.5],
    [[-0.0, 1.7553]],
    [1, 2, 3],
    [[-100, 2], [3, 40000]],
    [True, False],
    [],
    [[0.0875, 0.1952, 0.2651, 0.3005, 0.1516, 0.3005, 0.1516, 0.3005, 0.1516, 0.3005, 0.1516, 0.22, 0.33]],
    [1.2340e-05],
    [123456789.0, 1.0],
]


@pytest.mark.parametrize("data", REPR_DATA, ids=range(len(REPR_DATA)))
def test_repr_matches_torch(data):
    t, m = pair(data)
    _same_repr(t, m)
    if m.is_floating_point():
        _same_repr(t.double(), m.double())
        tg, mg = pair(data, requires_grad=True)
        _same_repr(tg, mg)
        _same_repr(tg * 2, mg * 2)


def test_repr_large_and_nd():
    rs = np.random.RandomState(0)
    for a in (
        rs.randn(40, 40),
        rs.randn(5, 6, 7) * 100,
        rs.randint(-1000, 1000, (30, 40)),
        rs.randn(2000),
        rs.randn(10, 10, 20),
        np.zeros((2, 0)),
        np.zeros((0,), dtype=np.int64),
        rs.randn(3, 4).astype(np.float16),
        np.arange(1500).reshape(3, 500),
    ):
        _same_repr(torch.tensor(a), mlplab.tensor(a))
        if a.dtype == np.float64 and a.size:
            _same_repr(torch.tensor(a, requires_grad=True) + 1, mlplab.tensor(a, requires_grad=True) + 1)


def test_repr_notes_examples():
    m = mlplab.tensor([[0.6219], [0.4325]])
    assert repr(m) == "tensor([[0.6219],\n        [0.4325]])"
    w = mlplab.zeros(4, 6, requires_grad=True)
    assert repr(w).endswith("requires_grad=True)")
    assert repr(mlplab.Parameter(mlplab.zeros(2))) == repr(torch.nn.Parameter(torch.zeros(2)))


GRAD_FN_OPS = {
    "add": lambda L, x: x + x,
    "mul": lambda L, x: x * 2,
    "sub": lambda L, x: x - 1,
    "div": lambda L, x: x / 2,
    "pow": lambda L, x: x**2,
    "rpow": lambda L, x: 2**x,
    "powt": lambda L, x: x**x,
    "exp": lambda L, x: x.exp(),
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "relu": lambda L, x: x.relu(),
    "clamp": lambda L, x: x.clamp(0, 1),
    "mm": lambda L, x: x @ x.T,
    "mv": lambda L, x: x @ x[0],
    "dot": lambda L, x: x[0] @ x[0],
    "sum": lambda L, x: x.sum(),
    "sum_dim": lambda L, x: x.sum(1),
    "mean": lambda L, x: x.mean(),
    "mean_dim": lambda L, x: x.mean(0),
    "var": lambda L, x: x.var(),
    "std": lambda L, x: x.std(0),
    "max": lambda L, x: x.max(),
    "max_dim": lambda L, x: x.max(1).values,
    "min": lambda L, x: x.min(),
    "amax": lambda L, x: x.amax(0),
    "lse": lambda L, x: x.logsumexp(1),
    "norm": lambda L, x: x.norm(),
    "view": lambda L, x: x.view(-1),
    "permute": lambda L, x: x.permute(1, 0),
    "expand": lambda L, x: x[:, :1].expand(2, 3),
    "slice": lambda L, x: x[1:],
    "select": lambda L, x: x[0],
    "index": lambda L, x: x[[0, 1]],
    "cat": lambda L, x: L.cat([x, x]),
    "stack": lambda L, x: L.stack([x, x]),
    "where": lambda L, x: L.where(x > 0, x, x),
    "maximum": lambda L, x: L.maximum(x, x),
    "double": lambda L, x: x.double(),
    "clone": lambda L, x: x.clone(),
}


@pytest.mark.parametrize("name", sorted(GRAD_FN_OPS))
def test_grad_fn_names(name):
    t, m = pair([[0.5, 1.5, 2.5], [1.0, 2.0, 3.0]], requires_grad=True)
    fn = GRAD_FN_OPS[name]
    _same_repr(fn(torch, t), fn(mlplab, m))


def test_return_types_repr():
    t, m = pair([[1.0, 5.0], [3.0, 2.0]])
    assert repr(m.max(1)).replace("mlplab", "torch") == repr(t.max(1))
    assert repr(m.min(0)).replace("mlplab", "torch") == repr(t.min(0))
    v, i = m.max(dim=1)
    assert v.tolist() == [5.0, 3.0] and i.tolist() == [1, 0]


# ---------------------------------------------------------------- non-differentiable ops

CMP = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


@pytest.mark.parametrize("op", CMP, ids=lambda o: o.__name__)
def test_comparisons_give_bool(op):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    for other in (2.0, 2, np.array([1.0, 2.0, 4.0]), np.array([[2.0], [1.0]])):
        t = op(
            torch.tensor(a, requires_grad=True),
            torch.tensor(other) if isinstance(other, np.ndarray) else other,
        )
        m = op(
            mlplab.tensor(a, requires_grad=True),
            mlplab.tensor(other) if isinstance(other, np.ndarray) else other,
        )
        assert m.dtype is mlplab.bool and not m.requires_grad
        assert_close(m, t)
    ti = op(torch.tensor([1, 2, 3]), torch.tensor([3, 2, 1]))
    mi = op(mlplab.tensor([1, 2, 3]), mlplab.tensor([3, 2, 1]))
    assert_close(mi, ti)


def test_named_comparisons_and_logic():
    t, m = pair([1.0, 2.0, 3.0])
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        assert_close(getattr(m, name)(2.0), getattr(t, name)(2.0))
        assert_close(getattr(mlplab, name)(m, 2.0), getattr(torch, name)(t, 2.0))
    assert_close((m > 1) & (m < 3), (t > 1) & (t < 3))
    assert_close((m < 1.5) | (m > 2.5), (t < 1.5) | (t > 2.5))
    assert_close(~(m > 1), ~(t > 1))
    assert mlplab.equal(m, mlplab.tensor([1.0, 2.0, 3.0])) and not m.equal(m + 1)
    assert m.allclose(m + 1e-9)


def test_argmax_argmin_all_any():
    rs = np.random.RandomState(0)
    a = rs.randint(0, 4, (3, 4, 5)).astype(np.float64)  # ties: both pick the first
    t, m = torch.tensor(a), mlplab.tensor(a)
    for f in ("argmax", "argmin"):
        assert_close(getattr(m, f)(), getattr(t, f)())
        for d in (0, 1, -1):
            for k in (False, True):
                assert_close(getattr(m, f)(d, keepdim=k), getattr(t, f)(d, keepdim=k))
                assert_close(getattr(mlplab, f)(m, dim=d), getattr(torch, f)(t, dim=d))
    b = a > 1
    tb, mb = torch.tensor(b), mlplab.tensor(b)
    for f in ("all", "any"):
        assert_close(getattr(mb, f)(), getattr(tb, f)())
        assert_close(getattr(mb, f)(1), getattr(tb, f)(1))
        assert_close(getattr(mb, f)(dim=0, keepdim=True), getattr(tb, f)(dim=0, keepdim=True))
        assert_close(getattr(mlplab, f)(mb), getattr(torch, f)(tb))
    acc = (m.argmax(1) == mlplab.tensor(a).argmax(1)).float().mean()
    assert acc.item() == 1.0


# ---------------------------------------------------------------- in-place ops


def test_inplace_on_leaf_under_no_grad():
    for L in (torch, mlplab):
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (w * w).sum().backward()
        with L.no_grad():
            w -= 0.1 * w.grad
            w.add_(1.0)
            w.sub_(w.grad, alpha=0.5)
            w.mul_(2.0)
            w.div_(4.0)
            w.clamp_(0.5, 1.5)
            w.addcmul_(w.grad, w.grad, value=0.01)
            w.addcdiv_(w.grad, w.grad + 1.0, value=0.1)
            w *= 1.5
            w /= 2.0
            w += 1
        assert w.requires_grad and w.is_leaf and w.grad_fn is None
        if L is torch:
            expected = w.detach().numpy().copy()
        else:
            np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-6)
        w.grad.zero_()
        assert w.grad.tolist() == [0.0, 0.0, 0.0]


def test_inplace_fill_copy_random():
    m = mlplab.zeros(2, 3)
    m.fill_(2.5)
    assert m.tolist() == [[2.5] * 3] * 2
    m.copy_(mlplab.tensor([1.0, 2.0, 3.0]))
    assert m.tolist() == [[1.0, 2.0, 3.0]] * 2
    m.zero_()
    assert m.sum().item() == 0
    mlplab.manual_seed(0)
    m.uniform_(-1, 1)
    assert m.abs().max().item() <= 1 and m.dtype is mlplab.float32
    m.normal_(0, 0.01)
    assert m.abs().max().item() < 0.1 and m.dtype is mlplab.float32
    with pytest.raises(RuntimeError, match=r"\(2,\) cannot be broadcast .* \(2, 3\)"):
        m.copy_(mlplab.ones(2))


@pytest.mark.parametrize(
    "op",
    [
        lambda w: w.add_(1),
        lambda w: w.sub_(1),
        lambda w: w.mul_(2),
        lambda w: w.div_(2),
        lambda w: w.zero_(),
        lambda w: w.fill_(1),
        lambda w: w.copy_(w.detach()),
        lambda w: w.clamp_(0, 1),
        lambda w: w.uniform_(),
        lambda w: w.normal_(),
        lambda w: w.__iadd__(1),
        lambda w: w.__setitem__(0, 1.0),
    ],
)
def test_inplace_on_leaf_requiring_grad_raises(op):
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"
    ):
        op(w)
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        op(tw)


def test_inplace_on_non_leaf_is_recorded():
    def f(L, w):
        y = w * 2
        y += w
        y *= w
        y.sub_(1, alpha=2)
        y.div_(w + 3)
        y.clamp_(0, 20)
        y[0] = w[1] * 5
        b = L.zeros(3, dtype=w.dtype)
        b += w  # a tensor without grad joins the graph
        c = L.zeros(3, dtype=w.dtype)
        c.copy_(b * w)
        c.addcmul_(w, w, value=0.5)
        c[1:] = y[:2]
        return y * c

    check(f, np.array([1.0, 2.0, 3.0]))


def test_setitem_without_grad():
    t, m = pair([[1.0, 2.0], [3.0, 4.0]])
    for L, x in ((torch, t), (mlplab, m)):
        x[0] = 9.0
        x[:, 1] = L.tensor([7.0, 8.0])
        x[x > 8] = 0.0
    assert_close(m, t)


# ---------------------------------------------------------------- bad input


def test_broadcast_mismatch_message():
    with pytest.raises(
        RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"
    ) as e:
        mlplab.ones(3) + mlplab.ones(4)
    assert "(3,)" in str(e.value) and "(4,)" in str(e.value)
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4, 3\)"):
        mlplab.ones(2, 3) * mlplab.ones(4, 3)
    with pytest.raises(RuntimeError, match=r"\(3,\) and \(4,\)"):
        mlplab.maximum(mlplab.ones(3), mlplab.ones(4))
    with pytest.raises(RuntimeError, match=r"\(3,\) and \(2,\)"):
        _ = mlplab.ones(3) < mlplab.ones(2)


def test_matmul_mismatch_message():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        mlplab.ones(2, 3) @ mlplab.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"\(3 and 4\)"):
        mlplab.ones(3) @ mlplab.ones(4)
    with pytest.raises(RuntimeError, match=r"2x3 and 4"):
        mlplab.ones(2, 3) @ mlplab.ones(4)
    with pytest.raises(RuntimeError, match=r"at least 1D"):
        mlplab.ones(2, 3) @ mlplab.tensor(2.0)
    with pytest.raises(RuntimeError, match=r"\(5, 2, 3\) and \(4, 3, 2\)"):
        mlplab.ones(5, 2, 3) @ mlplab.ones(4, 3, 2)


def test_requires_grad_on_integer_tensor():
    with pytest.raises(RuntimeError, match="floating point") as e:
        mlplab.tensor([1, 2], requires_grad=True)
    assert "int64" in str(e.value)
    with pytest.raises(RuntimeError, match="floating point"):
        mlplab.arange(3).requires_grad_()
    with pytest.raises(RuntimeError, match="bool"):
        mlplab.tensor([True]).requires_grad = True


def test_shape_errors_name_both_sides():
    x = mlplab.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        x.reshape(4, 2)
    with pytest.raises(
        IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    ):
        x.sum(2)
    with pytest.raises(
        RuntimeError,
        match=r"expanded size of the tensor \(\[3, 4\]\) must match the existing size \(\[2, 3\]\)",
    ):
        x.expand(3, 4)
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        x[5]
    with pytest.raises(RuntimeError, match=r"Expected \(2, 3\) but got \(2, 4\)"):
        mlplab.cat([x, mlplab.ones(2, 4)])
    with pytest.raises(RuntimeError, match=r"\(2, 3\) at entry 0 and \(3, 2\) at entry 1"):
        mlplab.stack([x, mlplab.ones(3, 2)])
    with pytest.raises(RuntimeError, match="permute"):
        x.permute(0)
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)
