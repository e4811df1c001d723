"""Autograd semantics as PyTorch's: accumulation, grad modes, detach, retain_grad, explicit
gradients, freed graphs, long chains."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from core_parity import assert_close, check

import mlplab


def both(fn):
    """Run ``fn(lib)`` for torch and mlplab and return the two results."""
    return fn(torch), fn(mlplab)


def test_accumulates_across_backward_calls():
    def run(L):
        w = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = (w * w * w).sum()
        y.backward(retain_graph=True)
        first = w.grad.clone()
        y.backward()
        (w.tanh().sum()).backward()
        return first, w.grad

    (tf, tg), (mf, mg) = both(run)
    assert_close(mf, tf)
    assert_close(mg, tg)


def test_grad_is_accumulated_in_place_and_keeps_dtype():
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    g = w.grad
    (w * 3).sum().backward()
    assert w.grad is g and g.tolist() == [5.0, 5.0] and g.dtype is mlplab.float32
    w.grad = None
    (w * 4).sum().backward()
    assert w.grad.tolist() == [4.0, 4.0]


def test_second_backward_through_freed_graph_raises():
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    y = (w.exp() * w).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()
    # a new graph from the same leaves is fine
    (w.exp() * w).sum().backward()


def test_non_scalar_backward_needs_gradient():
    w = mlplab.ones(2, 3, requires_grad=True)
    y = w * 2
    with pytest.raises(
        RuntimeError, match=r"grad can be implicitly created only for scalar outputs.*\(2, 3\)"
    ):
        y.backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\(3,\).*\(2, 3\)"):
        y.backward(mlplab.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        mlplab.ones(2).sum().backward()


def test_backward_with_gradient():
    def run(L):
        w = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = w**2 + w
        y.backward(gradient=L.tensor([[1.0, 0.5], [-1.0, 2.0]]))
        return w.grad

    t, m = both(run)
    assert_close(m, t)
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).backward(np.array([1.0, 1.0], dtype=np.float32))
    assert w.grad.tolist() == [3.0, 3.0]


def test_backward_on_a_leaf_and_one_element_outputs():
    for L in (torch, mlplab):
        w = L.tensor([2.0, 3.0], requires_grad=True)
        w.backward(L.tensor([1.0, 4.0]))
        assert w.grad.tolist() == [1.0, 4.0]
        v = L.tensor([[5.0]], requires_grad=True)
        (v * 2).backward()  # one element: implicit gradient 1
        assert v.grad.tolist() == [[2.0]]


def test_grad_modes_as_context_managers():
    w = mlplab.ones(2, requires_grad=True)
    assert mlplab.is_grad_enabled()
    with mlplab.no_grad():
        assert not mlplab.is_grad_enabled()
        y = w * 2
        assert not y.requires_grad and y.grad_fn is None
        with mlplab.enable_grad():
            assert (w * 2).requires_grad
        with mlplab.set_grad_enabled(True):
            assert (w * 2).grad_fn is not None
        assert not mlplab.is_grad_enabled()
    assert mlplab.is_grad_enabled()
    with mlplab.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert mlplab.is_grad_enabled()
    mlplab.set_grad_enabled(False)  # as a plain call, like torch
    assert not mlplab.is_grad_enabled()
    mlplab.set_grad_enabled(True)
    with pytest.raises(ValueError), mlplab.no_grad():
        raise ValueError
    assert mlplab.is_grad_enabled()


def test_grad_modes_as_decorators():
    w = mlplab.ones(2, requires_grad=True)

    @mlplab.no_grad()
    def f(x):
        return x * 2

    @mlplab.no_grad
    def g(x):
        return x * 2

    @mlplab.enable_grad()
    def h(x):
        return x * 2

    @mlplab.set_grad_enabled(False)
    def k(x):
        return x * 2

    assert mlplab.is_grad_enabled()
    assert not f(w).requires_grad and not g(w).requires_grad and not k(w).requires_grad
    assert f.__name__ == "f" and g.__name__ == "g"
    with mlplab.no_grad():
        assert h(w).requires_grad
    assert mlplab.is_grad_enabled()


def test_detach_cuts_the_graph():
    def run(L):
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = w * 2
        z = (y.detach() * w).sum() + (y.data * w).sum()
        z.backward()
        return w.grad

    t, m = both(run)
    assert_close(m, t)


def test_retain_grad():
    def run(L):
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = w * 2
        h.retain_grad()
        u = h.tanh()
        out = (u * h).sum()
        out.backward()
        return w.grad, h.grad

    (tw, th), (mw, mh) = both(run)
    assert_close(mw, tw)
    assert_close(mh, th)
    w = mlplab.ones(2, requires_grad=True)
    h = w * 2
    h.sum().backward()
    assert h.grad is None  # non-leaf without retain_grad
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        mlplab.ones(2).retain_grad()


def test_shared_subgraphs_and_reuse():
    def f(L, x, y):
        a = x * y
        b = a.exp() + a  # a used twice
        c = b * x  # x used again deeper
        return (c + c.sin() * b).sum() + (x * x).sum()

    rs = np.random.RandomState(0)
    check(f, rs.randn(3, 4) * 0.5, rs.randn(4) * 0.5)


def test_only_some_leaves_require_grad():
    def run(L):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        c = L.tensor([3.0, 4.0])
        (w * c + c).sum().backward()
        return w.grad, c.grad

    (tw, tc), (mw, mc) = both(run)
    assert_close(mw, tw)
    assert tc is None and mc is None
    x = mlplab.tensor([1.0]) * mlplab.tensor([2.0])
    assert not x.requires_grad and x.grad_fn is None


def test_integer_index_tensors_in_graph():
    x = np.random.RandomState(1).randn(5)
    check(lambda L, x, i: (x[i] * 2).sum() + x[i[0]], x, np.array([4, 0, 4]))


def test_long_chain_has_no_recursion_error():
    limit = sys.getrecursionlimit()
    x = mlplab.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.sum().backward()
    assert limit == sys.getrecursionlimit()
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-3)
    # and a wide fan-in: one leaf used by 2,000 ops
    w = mlplab.tensor(1.0, requires_grad=True)
    total = w * 0
    for i in range(2000):
        total = total + w * float(i % 3)
    total.backward()
    assert w.grad.item() == sum(float(i % 3) for i in range(2000))


def test_grad_of_float32_leaf_is_float32_through_float64_ops():
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    (w.double() ** 2).sum().backward()
    assert w.grad.dtype is mlplab.float32 and w.grad.tolist() == [2.0, 4.0]


def test_create_graph_through_an_op_without_double_backward_names_the_op():
    from test_double_backward_coverage import Cube  # every mlplab op has a double backward now

    w = mlplab.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="CubeBackward0 .*create_graph=True"):
        Cube.apply(w).sum().backward(create_graph=True)


def _core_functions():
    from mlplab.autograd.op import Op

    out, todo = [], list(Op.__subclasses__())
    while todo:
        c = todo.pop()
        todo.extend(c.__subclasses__())
        if c.__module__.startswith(("mlplab.ops", "mlplab.tensor")) and "backward" in vars(c):
            out.append(c)
    return out


def test_float32_graphs_stay_float32(monkeypatch):
    """No backward of a core op returns a wider dtype than its incoming gradient (NumPy promotes
    float32 with float64 constants; a silent float64 gradient would double the cost of what follows)."""
    seen = []

    def wrap(orig):
        def backward(self, g):
            res = orig(self, g)
            for r in res if isinstance(res, (tuple, list)) else (res,):
                if r is not None and type(self).__name__ != "Cast":  # Cast returns the input's dtype
                    assert r.dtype == g.dtype, f"{type(self).__name__}.backward: {g.dtype} -> {r.dtype}"
            seen.append(type(self).__name__)
            return res

        return backward

    for cls in _core_functions():
        monkeypatch.setattr(cls, "backward", wrap(vars(cls)["backward"]))
    rs = np.random.RandomState(0)
    x = mlplab.tensor(rs.rand(3, 4).astype(np.float32) + 0.5, requires_grad=True)
    v = mlplab.tensor(rs.rand(4).astype(np.float32) + 0.5, requires_grad=True)
    outs = [
        x + v, x - v, x * v, x / v, x**v, x**2, x**0.5, 2**x, 2 + x, x - 1, 1 - x, 3 * x, x / 2, 1 / x, -x,
        x.exp(), x.log(), x.sqrt(), x.abs(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.relu(),
        x.clamp(0.6, 1.0), mlplab.maximum(x, v), mlplab.minimum(x, v), mlplab.where(x > 1, x, v),
        x @ v, x @ x.T, x.sum(), x.sum(1), x.mean(), x.mean(0, keepdim=True), x.var(), x.var(1), x.std(0),
        x.max(), x.min(), x.max(1).values, x.amax(0), x.logsumexp(1), x.norm(), x.norm(p=1, dim=1),
        x.norm(p=3), x.norm(p=float("inf"), dim=0), x.reshape(12), x.T, x.permute(1, 0), x.unsqueeze(0),
        x.squeeze(), v.expand(3, 4), x[1:, [0, 2]], x[x > 1], mlplab.cat([x, x]), mlplab.stack([v, v]),
        x.clone(), x.double().float(),
    ]  # fmt: skip
    for o in outs:
        assert o.dtype is mlplab.float32, o.grad_fn
        o.backward(mlplab.ones_like(o))
    assert len(set(seen)) >= 40


def test_backward_releases_the_graph():
    import weakref

    w = mlplab.randn(5, 5, requires_grad=True)
    h = (w @ w).tanh()
    ref = weakref.ref(h)
    loss = (h * 2).sum()
    del h
    assert ref() is not None  # the graph keeps the activation alive until backward
    loss.backward()
    assert ref() is None  # ... and lets it go afterwards, as PyTorch frees saved tensors
    assert loss.grad_fn.freed and w.grad is not None


def test_dead_branches_and_late_consumers():
    def f(L, x):
        a = x * 2
        _ = a * 5  # a consumer that does not reach the output
        b = a.exp()
        c = b * a  # a reaches c twice, once through a node created later
        return c.sum() + a.sum()

    check(f, np.array([0.1, -0.3, 0.7]))
