"""Names docs/compatibility.md listed as missing, now supported: parity with torch 2.13 (values,
gradients, float64 gradcheck through ``core_parity.check``, error types)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, rand

import mlplab

RS = np.random.RandomState(7)


def _with_zeros() -> np.ndarray:
    x = rand(RS, (3, 4, 5))
    x[0, 1, 2] = 0.0  # one zero in a slice
    x[1, 2, :2] = 0.0  # two zeros in a slice: every gradient there is 0
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dot_and_bmm(dtype) -> None:
    check(lambda t, a, b: t.dot(a, b), rand(RS, (5,)), rand(RS, (5,)), dtype=dtype)
    check(lambda t, a, b: a.dot(b), rand(RS, (5,)), rand(RS, (5,)), dtype=dtype)
    check(lambda t, a, b: t.bmm(a, b), rand(RS, (2, 3, 4)), rand(RS, (2, 4, 5)), dtype=dtype)
    check(lambda t, a, b: a.bmm(b), rand(RS, (3, 1, 4)), rand(RS, (3, 4, 2)), dtype=dtype)


def test_dot_and_bmm_grad_fn_names() -> None:
    a = mlplab.ones(3, requires_grad=True)
    assert mlplab.dot(a, a).grad_fn.name() == "DotBackward0"
    b = mlplab.ones(2, 3, 3, requires_grad=True)
    assert mlplab.bmm(b, b).grad_fn.name() == "BmmBackward0"


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.dot(t.ones(3), t.ones(4)),
        lambda t: t.dot(t.ones(3, 1), t.ones(3)),
        lambda t: t.dot(t.ones(3), t.ones(3, dtype=t.float64)),
        lambda t: t.bmm(t.ones(3, 4), t.ones(3, 4, 5)),
        lambda t: t.bmm(t.ones(2, 3, 4), t.ones(3, 4, 5)),
        lambda t: t.bmm(t.ones(2, 3, 4), t.ones(2, 3, 5)),
        lambda t: t.ones(3, 3).diagonal(0, 1, 1),
        lambda t: t.ones(3, 3).diagonal(0, 0, 2),
        lambda t: t.meshgrid(t.ones(2), t.ones(3), indexing="yx"),
        lambda t: t.linalg.solve(t.ones(2, 3), t.ones(2)),
        lambda t: t.linalg.solve(t.zeros(2, 2, dtype=t.float64), t.ones(2, dtype=t.float64)),
        lambda t: t.set_num_threads(0),
    ],
)
def test_errors_are_torchs(call) -> None:
    with pytest.raises(Exception) as te:
        call(torch)
    with pytest.raises(Exception) as me:
        call(mlplab)
    base = next(k for k in (IndexError, TypeError, ValueError, RuntimeError) if isinstance(te.value, k))
    assert isinstance(me.value, base), (me.value, te.value)
    if type(te.value).__name__ == "_LinAlgError":
        assert isinstance(me.value, mlplab.linalg.LinAlgError)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.prod(x),
        lambda t, x: t.prod(x, 1),
        lambda t, x: x.prod(dim=-1, keepdim=True),
        lambda t, x: x.prod(0),
        lambda t, x: x[0, 0].prod(0),
    ],
)
def test_prod_with_zeros(fn) -> None:
    check(fn, _with_zeros())
    check(fn, rand(RS, (3, 4, 5)))
    check(fn, rand(RS, (3, 4, 5)), dtype=np.float32)


def test_prod_dtypes() -> None:
    for make in (
        lambda t: t.tensor([1, 2, 3]).prod(),
        lambda t: t.tensor([[True, False]]).prod(1),
        lambda t: t.tensor([1, 2], dtype=t.int32).prod(dtype=t.float64),
        lambda t: t.tensor([1.5, 2.0]).prod(0, dtype=t.float64),
        lambda t: t.tensor(3.0).prod(0),
    ):
        assert_close(make(mlplab), make(torch))


@pytest.mark.parametrize("args", [(), (1,), (-2, 0, 2), (0, -1, 1), (1, 2, 0), (7,)])
def test_diagonal(args) -> None:
    check(lambda t, x: x.diagonal(*args), rand(RS, (3, 4, 5)))
    check(lambda t, x: t.diagonal(x, *args), rand(RS, (3, 4, 5)), dtype=np.float32)


def test_diagonal_is_a_view() -> None:
    def writes(t) -> list:
        a = t.arange(24.0).reshape(2, 3, 4)
        a.diagonal(1, 1, 2).add_(100)
        a.diagonal(-1, 2, 1).mul_(-1)
        b = t.zeros(3, 3)
        b.diagonal().fill_(1.0)
        c = t.arange(9.0).reshape(3, 3)
        d = c.diagonal()
        c[1, 1] = 50
        return [a.tolist(), b.tolist(), d.tolist(), list(t.ones(2, 2).diagonal(5).shape)]

    assert writes(mlplab) == writes(torch)
    w = mlplab.ones(3, 3, requires_grad=True)
    y = (w.diagonal() * 2).sum()
    with mlplab.no_grad():
        w.add_(1)
    y.backward()  # diagonal * 2 saves nothing of w: no error, as in torch


def test_diagonal_keywords() -> None:
    check(lambda t, x: t.diagonal(x, offset=1, dim1=1, dim2=0), rand(RS, (4, 3)))


def test_is_floating_point() -> None:
    for dt in ("float32", "float64", "float16", "int64", "int32", "bool", "uint8"):
        assert mlplab.is_floating_point(mlplab.ones(2, dtype=getattr(mlplab, dt))) == torch.is_floating_point(
            torch.ones(2, dtype=getattr(torch, dt))
        )


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_meshgrid(indexing, n) -> None:
    sizes = (3, 4, 2)[:n]
    arrays = [rand(RS, (k,)) for k in sizes]
    check(lambda t, *xs: t.stack(t.meshgrid(*xs, indexing=indexing)), *arrays)
    check(lambda t, *xs: t.stack(t.meshgrid(list(xs), indexing=indexing)), *arrays, dtype=np.float32)


def test_meshgrid_default_is_ij() -> None:
    a, b = mlplab.arange(3), mlplab.arange(4)
    with pytest.warns(UserWarning):
        ta, tb = torch.meshgrid(torch.arange(3), torch.arange(4))
    ma, mb = mlplab.meshgrid(a, b)
    assert_close(ma, ta)
    assert_close(mb, tb)


SQUARE = rand(RS, (3, 3)) + 3 * np.eye(3)


@pytest.mark.parametrize(
    "shapes",
    [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3, 2)), ((2, 3, 3), (2, 3))],
)
def test_linalg_solve(shapes) -> None:
    a_shape, b_shape = shapes
    a = np.broadcast_to(SQUARE, a_shape) + 0.1 * rand(RS, a_shape)
    check(lambda t, a, b: t.linalg.solve(a, b), a, rand(RS, b_shape))
    check(
        lambda t, a, b: t.linalg.solve(a, b),
        a,
        rand(RS, b_shape),
        dtype=np.float32,
        tol={"rtol": 1e-4, "atol": 1e-5},
    )


def test_linalg_solve_right() -> None:
    check(lambda t, a, b: t.linalg.solve(a, b, left=False), SQUARE, rand(RS, (2, 3)))


def test_variable_is_a_tensor() -> None:
    from mlplab.autograd import Variable

    x = mlplab.ones(3)
    v = Variable(x, requires_grad=True)
    assert isinstance(v, mlplab.Tensor) and isinstance(x, Variable)
    assert v.requires_grad and v.is_leaf and not x.requires_grad
    (v * 2).sum().backward()
    assert_close(v.grad, torch.full((3,), 2.0))
    assert not Variable(x).requires_grad


def test_num_threads() -> None:
    before = mlplab.get_num_threads()
    try:
        mlplab.set_num_threads(1)
        assert mlplab.get_num_threads() == 1
    finally:
        mlplab.set_num_threads(before)
    assert mlplab.get_num_threads() == before
    with pytest.raises(RuntimeError):
        mlplab.set_num_threads(1.5)


PRINT_CASES = [
    dict(precision=2),
    dict(precision=6, linewidth=40),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(threshold=5),
    dict(threshold=3, edgeitems=1),
    dict(profile="short"),
    dict(profile="full"),
]


@pytest.mark.parametrize("options", PRINT_CASES)
def test_set_printoptions(options) -> None:
    arrays = [
        rand(RS, (10,)),
        np.arange(10.0),
        rand(RS, (4, 5)) * 100,
        np.array([1e-6, 1.0, 3e5]),
        rand(RS, (40, 40)),
        np.arange(12).reshape(3, 4),
    ]
    try:
        torch.set_printoptions(**options)
        mlplab.set_printoptions(**options)
        for a in arrays:
            dt = "float32" if a.dtype.kind == "f" else "int64"
            ours = repr(mlplab.tensor(a, dtype=getattr(mlplab, dt))).replace("mlplab.", "torch.")
            assert ours == repr(torch.tensor(a, dtype=getattr(torch, dt))), options
    finally:
        torch.set_printoptions(profile="default")
        mlplab.set_printoptions(profile="default")
    assert repr(mlplab.tensor([1.123456])) == "tensor([1.1235])"


def _hook_run(t) -> list:
    """Hooks on a leaf used twice and on a non-leaf with retain_grad; one replaces the gradient,
    one only records it; then one is removed."""
    calls: list = []
    w = t.tensor([1.0, 2.0, 3.0], dtype=t.float64, requires_grad=True)
    h = w * 2
    h.retain_grad()
    handle = h.register_hook(lambda g: g * 10)
    h.register_hook(lambda g: calls.append(("h", g.tolist())))
    w.register_hook(lambda g: calls.append(("w", g.tolist())))
    w.register_hook(lambda g: g + 1)
    ((h * h).sum() + (w * w).sum()).backward()
    out = [list(calls), w.grad.tolist(), h.grad.tolist()]
    handle.remove()
    calls.clear()
    w.grad = None
    h2 = w.exp()
    h2.register_hook(lambda g: g * 0.5)
    (h2.sum() * 3).backward()
    out += [list(calls), w.grad.tolist()]
    return out


def test_register_hook_is_torchs() -> None:
    assert _hook_run(mlplab) == _hook_run(torch)


def test_register_hook_on_a_root_leaf_and_errors() -> None:
    for t in (torch, mlplab):
        x = t.ones(2, requires_grad=True)
        x.register_hook(lambda g: g * 3)
        x.backward(t.ones(2))
        assert x.grad.tolist() == [3.0, 3.0]
        with pytest.raises(RuntimeError):
            t.ones(2).register_hook(lambda g: g)


def test_a_hooked_non_leaf_keeps_no_grad_unless_retained() -> None:
    w = mlplab.ones(2, requires_grad=True)
    h = w * 3
    h.register_hook(lambda g: g * 2)
    h.sum().backward()
    assert h.grad is None and w.grad.tolist() == [6.0, 6.0]
    h2 = w * 3
    h2.register_hook(lambda g: None)
    (gw,) = mlplab.autograd.grad(h2.sum(), [w])
    assert gw.tolist() == [3.0, 3.0] and h2.grad is None


def _hook_grad_run(t) -> list:
    """Hooks under autograd.grad (leaf and non-leaf targets), create_graph and backward(inputs=)."""
    out = []
    w = t.ones(2, dtype=t.float64, requires_grad=True)
    w.register_hook(lambda g: g * 5)
    h = w * 3
    h.register_hook(lambda g: g * 2)
    out.append(t.autograd.grad((h * h).sum(), [w])[0].tolist())
    h = w * 3
    h.register_hook(lambda g: g * 2)
    out.append(t.autograd.grad((h * h).sum(), [h])[0].tolist())
    h = w * 3
    h.register_hook(lambda g: g * 2)
    (gw,) = t.autograd.grad((h * h * h).sum() + (w * w).sum(), [w], create_graph=True)
    out.append(gw.tolist())
    out.append(t.autograd.grad(gw.sum(), [w])[0].tolist())
    h = w * 3
    h.register_hook(lambda g: g * 2)
    ((h * h).sum() + w.sum()).backward(inputs=[w])
    out.append(w.grad.tolist())
    return out


def test_register_hook_under_autograd_grad_is_torchs() -> None:
    assert _hook_grad_run(mlplab) == _hook_grad_run(torch)


# groups of at least 4 elements: a group of 1 or 2 normalises to +-1 or 0, and its input gradient
# is all cancellation, so float32 rounding (not the formula) would decide the comparison
NORMS = [
    ((5, 8), lambda t: t.nn.GroupNorm(2, 8)),
    ((5, 8), lambda t: t.nn.GroupNorm(1, 8)),
    ((4, 8, 6), lambda t: t.nn.GroupNorm(8, 8, affine=False)),
    ((5, 8, 3), lambda t: t.nn.GroupNorm(4, 8, eps=1e-3, bias=False)),
    ((4, 8, 3), lambda t: t.nn.GroupNorm(2, 8)),
    ((5, 6), lambda t: t.nn.RMSNorm(6)),
    ((3, 5, 6), lambda t: t.nn.RMSNorm([5, 6], eps=1e-3)),
    ((5, 6), lambda t: t.nn.RMSNorm(6, elementwise_affine=False)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", range(len(NORMS)))
def test_groupnorm_rmsnorm(case, dtype) -> None:
    shape, make = NORMS[case]
    x = rand(RS, shape).astype(dtype)
    results = []
    for t in (torch, mlplab):
        mod = make(t).to(t.float64 if dtype == np.float64 else t.float32)
        with t.no_grad():
            for p in mod.parameters():
                p.copy_(t.tensor(np.linspace(0.5, 1.5, p.numel()).reshape(tuple(p.shape)).astype(dtype)))
        xx = t.tensor(x, requires_grad=True)
        y = mod(xx)
        y.backward(t.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype)))
        results.append((y, xx.grad, [p.grad for p in mod.parameters()], repr(mod)))
    (ty, tgx, tgp, trepr), (my, mgx, mgp, mrepr) = results
    assert_close(my, ty)
    assert_close(mgx, tgx, "grad of input")
    for a, b in zip(mgp, tgp):
        assert_close(a, b, "grad of a parameter")
    assert mrepr == trepr
    if dtype == np.float64:
        mod = make(mlplab).double()
        assert mlplab.autograd.gradcheck(mod, [mlplab.tensor(x, requires_grad=True)])


def test_groupnorm_rmsnorm_errors() -> None:
    for t in (torch, mlplab):
        with pytest.raises(ValueError):
            t.nn.GroupNorm(3, 8)
        with pytest.raises(RuntimeError):
            t.nn.GroupNorm(2, 8)(t.ones(3, 6))
        with pytest.raises(RuntimeError):
            t.nn.RMSNorm(3)(t.ones(2, 4))
