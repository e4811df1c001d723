"""``Op.apply``'s fast path (an op's declared ``arity``) gives exactly what the general path
(``Op._apply_any``, which tests every argument) gives: the same values, the same graph, the
same gradients, bit for bit, with and without grad mode and with inputs that need no gradient."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab
from mlplab.autograd.op import Op
from mlplab.ops import activation, arithmetic, classification, elementwise, linear, loss, reduction, shape


def _leaf(rs: np.random.RandomState, *shape: int, requires_grad: bool = True) -> mlplab.Tensor:
    return mlplab.tensor(rs.randn(*shape).astype(np.float32), requires_grad=requires_grad)


def _cases(rs: np.random.RandomState) -> list[tuple[type, tuple]]:
    x, y = _leaf(rs, 4, 3), _leaf(rs, 4, 3)
    w, b = _leaf(rs, 5, 3), _leaf(rs, 5)
    labels = np.array([0, 2, 1, 2])
    cond = mlplab.tensor(rs.rand(4, 3) > 0.5)
    return [
        (elementwise.Exp, (x,)),
        (elementwise.Clamp, (x, -0.5, 0.5)),
        (activation.Sigmoid, (x,)),
        (activation.SoftmaxFn, (x, 1)),
        (arithmetic.MulScalar, (x, 2.5)),
        (arithmetic.Add, (x, y)),
        (arithmetic.Div, (x, _leaf(rs, 3, requires_grad=False))),
        (arithmetic.Where, (cond, x, y)),
        (linear.MatMul, (x, _leaf(rs, 3, 2))),
        (linear.LinearFn, (x, w, b)),
        (linear.LinearNoBiasFn, (x, w)),
        (reduction.Sum, (x, None, False)),
        (reduction.Mean, (x, (1,), True)),
        (shape.Reshape, (x, (3, 4))),
        (classification.CrossEntropyFn, (x, labels, None, -100, 0.0, "mean", False)),
        (loss.MSELossFn, (x, y, "mean", None)),
    ]


def _run(path: str, fn: type, args: tuple, grad_enabled: bool) -> tuple:
    for a in args:
        if isinstance(a, mlplab.Tensor):
            a.grad = None
    with mlplab.set_grad_enabled(grad_enabled):
        out = fn.apply(*args) if path == "fast" else fn._apply_any(*args)
    node = out.grad_fn
    graph = (
        None
        if node is None
        else (type(node), node.name(), node.parents, node.needs_input_grad, node.returns_fresh_grads)
    )
    grads = None
    if out.requires_grad:
        out.backward(mlplab.ones_like(out))
        grads = [
            None if a.grad is None else a.grad.numpy().copy() for a in args if isinstance(a, mlplab.Tensor)
        ]
    return out.detach().numpy().copy(), out.requires_grad, graph, grads


@pytest.mark.parametrize("grad_enabled", [True, False])
@pytest.mark.parametrize("index", range(16))
def test_fast_path_equals_general_path(index: int, grad_enabled: bool) -> None:
    fn, args = _cases(np.random.RandomState(index))[index]
    assert fn.arity is not None, f"{fn.__name__} takes the general path; this test is about the fast one"
    fast = _run("fast", fn, args, grad_enabled)
    general = _run("general", fn, args, grad_enabled)
    np.testing.assert_array_equal(fast[0], general[0])
    assert fast[0].dtype == general[0].dtype
    if fn.is_view and not grad_enabled and fast[1] != general[1]:
        # only the fast path makes views (``_apply_view``): one made under no_grad of a tensor
        # that requires grad requires grad, as PyTorch's does (view_bases.NoGradView)
        # with no edge to its input: backward through it gives no gradient
        assert fast[1] is True and any(a.requires_grad for a in args if isinstance(a, mlplab.Tensor))
        assert fast[2] == general[2] is None
        assert general[3] is None and all(g is None for g in fast[3])
        return
    assert fast[1:3] == general[1:3]
    if fast[3] is not None:
        for a, b in zip(fast[3], general[3]):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)


def test_fast_path_skips_inputs_that_need_no_grad() -> None:
    rs = np.random.RandomState(0)
    x, c = _leaf(rs, 2, 2), _leaf(rs, 2, 2, requires_grad=False)
    out = arithmetic.Mul.apply(x, c)
    assert out.grad_fn.needs_input_grad == (True, False)
    out = arithmetic.Mul.apply(c, c)
    assert out.grad_fn is None and not out.requires_grad


def test_general_path_finds_tensors_anywhere() -> None:
    class ScaleBy(Op):
        """y = s x for a constant s given first: the tensor is not the first argument."""

        def forward(self, s, x):
            self.s = s
            return s * x

        def backward(self, g):
            return self.s * g

    x = mlplab.tensor([1.0, 2.0], requires_grad=True)
    y = ScaleBy.apply(3.0, x)
    y.sum().backward()
    assert y.tolist() == [3.0, 6.0] and x.grad.tolist() == [3.0, 3.0]


def test_a_function_without_tensors_is_refused() -> None:
    with pytest.raises(TypeError, match="at least one tensor"):
        elementwise.Exp._apply_any(np.ones(2))
