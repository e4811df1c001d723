"""``mlplab.autograd.Function``: PyTorch's contract for user-defined functions, checked against
torch 2.13 (each scenario is written once against the torch API and run on both libraries)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlplab

LIBS = [torch, mlplab]


def _relu(lib):
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002 - the tutorial's code, unchanged
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors  # noqa: A001
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    return MyReLU


def _legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002 - the tutorial's code, unchanged
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors  # noqa: A001
            return grad_output * 1.5 * (5 * input**2 - 1)

    return LegendrePolynomial3


def _tutorial_fit(lib, steps=300):
    """The tutorial's loop fitting sin(x) with a + b P3(c + d x) (float64, fewer steps)."""
    x = lib.linspace(-math.pi, math.pi, 2000, dtype=lib.float64)
    y = lib.sin(x)
    a = lib.full((), 0.0, dtype=lib.float64, requires_grad=True)
    b = lib.full((), -1.0, dtype=lib.float64, requires_grad=True)
    c = lib.full((), 0.0, dtype=lib.float64, requires_grad=True)
    d = lib.full((), 0.3, dtype=lib.float64, requires_grad=True)
    P3 = _legendre(lib).apply
    losses = []
    for _ in range(steps):
        loss = (a + b * P3(c + d * x) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    return losses, [p.item() for p in (a, b, c, d)]


def test_legendre_tutorial_matches_torch():
    lm, pm = _tutorial_fit(mlplab)
    lt, pt = _tutorial_fit(torch)
    np.testing.assert_allclose(lm, lt, rtol=1e-9)
    np.testing.assert_allclose(pm, pt, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lib", LIBS, ids=["torch", "mlplab"])
def test_custom_relu_values_gradients_and_name(lib):
    x = lib.tensor([[-1.0, 2.0, 0.5], [3.0, -0.2, 0.0]], requires_grad=True)
    y = _relu(lib).apply(x)
    assert y.tolist() == [[0.0, 2.0, 0.5], [3.0, 0.0, 0.0]]
    assert type(y.grad_fn).__name__ == "MyReLUBackward" and "grad_fn=<MyReLUBackward>" in repr(y)
    (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 3.0], [4.0, 0.0, 6.0]]


def _both(scenario):
    return scenario(torch), scenario(mlplab)


def _scale(lib):
    """Non-tensor arguments, a keyword argument, needs_input_grad and grad modes seen inside."""
    seen = {}

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k, power=2):
            seen["forward grad mode"] = lib.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            ctx.k, ctx.power = k, power
            ctx.save_for_backward(x, y)
            return x**power * y * k

        @staticmethod
        def backward(ctx, g):
            seen["backward grad mode"] = lib.is_grad_enabled()
            x, y = ctx.saved_tensors
            gx = g * ctx.power * x ** (ctx.power - 1) * y * ctx.k if ctx.needs_input_grad[0] else None
            gy = g * x**ctx.power * ctx.k if ctx.needs_input_grad[1] else None
            return gx, gy, None, None

    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = lib.tensor([0.5, 0.25, 2.0])
    out = Scale.apply(x, y, 3.0, power=3)
    out.sum().backward()
    return out.tolist(), x.grad.tolist(), y.grad, seen


def test_non_tensor_and_keyword_arguments():
    t, m = _both(_scale)
    assert m == t
    assert m[3]["needs"] == (True, False, False, False)


def _new_style(lib):
    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(x, y, alpha=1.0):
            return x * y * alpha

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, alpha = inputs
            ctx.save_for_backward(x, y)
            ctx.alpha = alpha

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y * ctx.alpha, g * x * ctx.alpha, None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, -4.0], requires_grad=True)
    Mul.apply(x, y).sum().backward()
    Mul.apply(x, y, alpha=2.0).sum().backward()
    return x.grad.tolist(), y.grad.tolist()


def test_setup_context_style():
    assert _both(_new_style)[1] == _both(_new_style)[0] == ([9.0, -12.0], [3.0, 6.0])


def test_multiple_outputs_non_differentiable_and_materialized_zeros():
    t, m = _both(_multi_output_new)
    assert m == t
    assert m[0] == (True, True, False, 2)


def _multi_output_new(lib):
    class SplitMax(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x)
            return x * 2, x.exp(), idx

        @staticmethod
        def backward(ctx, g2, gexp, gidx):
            (x,) = ctx.saved_tensors
            ctx.seen = (g2.tolist(), gexp.tolist(), gidx)
            return g2 * 2 + gexp * x.exp()

    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    a, e, idx = SplitMax.apply(x)
    flags = (a.requires_grad, e.requires_grad, idx.requires_grad, idx.item())
    node = a.grad_fn
    (a.sum() + e[0]).backward()
    seen = node.seen if hasattr(node, "seen") else node.core.seen
    return flags, x.grad.tolist(), seen[0], seen[1], seen[2] is None


def _materialize(lib):
    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            ctx.nones = (a is None, b is None)
            return a * 2 if a is not None else None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a, _ = Two.apply(x)
    node = a.grad_fn
    a.sum().backward()
    return getattr(node, "core", node).nones, x.grad.tolist()


def test_set_materialize_grads_false_passes_none():
    assert _both(_materialize)[1] == _both(_materialize)[0] == ((False, True), [2.0, 2.0])


def _identity_and_dirty(lib):
    class Same(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class DoubleInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = lib.tensor([1.0, 3.0], requires_grad=True)
    y = Same.apply(x)
    facts = [y is x, y.grad_fn is not None, x.grad_fn is None]
    z = x * 1
    w = DoubleInPlace.apply(z)
    facts += [w is z, w.tolist(), type(z.grad_fn).__name__]
    (y.sum() + w.sum()).backward()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in an in-place"):
        DoubleInPlace.apply(lib.tensor([1.0], requires_grad=True))
    return facts, x.grad.tolist()


def test_input_returned_as_is_and_mark_dirty():
    t, m = _both(_identity_and_dirty)
    assert m == t == ([False, True, True, True, [2.0, 6.0], "DoubleInPlaceBackward"], [4.0, 4.0])


def _saved_after_backward(lib):
    f = _relu(lib)
    x = lib.tensor([1.0, -1.0], requires_grad=True)
    y = f.apply(x)
    y.sum().backward(retain_graph=True)
    y.sum().backward()  # retained: a second pass works
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors  # noqa: B018 - freed now
    with lib.no_grad():
        z = f.apply(x)
    return x.grad.tolist(), z.requires_grad, z.grad_fn


def _save_non_tensor(lib):
    class Save(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3.0)
            return x * 2

    with pytest.raises(TypeError) as e:
        Save.apply(lib.ones(1, requires_grad=True))
    return str(e.value)


def test_save_for_backward_refuses_a_non_tensor():
    assert _both(_save_non_tensor)[1] == _both(_save_non_tensor)[0]


def test_saved_tensors_freed_and_no_grad():
    assert _both(_saved_after_backward)[1] == _both(_saved_after_backward)[0] == ([2.0, 0.0], False, None)


def _bad(lib, result):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return result(lib, g)

    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    try:
        Bad.apply(x, 2.0).sum().backward()
    except RuntimeError as e:
        return str(e)
    return x.grad.shape, x.grad.dtype == lib.float32, x.grad.tolist()


BAD = {
    "too few": lambda lib, g: g,
    "extra None": lambda lib, g: (g, None, None),
    "extra tensor": lambda lib, g: (g, None, g),
    "non-tensor input": lambda lib, g: (g, g),
    "wrong shape": lambda lib, g: (g[0], None),
    "not a tensor": lambda lib, g: (3.0, None),
    "broadcastable": lambda lib, g: (lib.ones(1, 2, 3), None),
    "float64": lambda lib, g: (g.double(), None),
}


@pytest.mark.parametrize("case", list(BAD))
def test_backward_result_checks_as_torch(case):
    t, m = _bad(torch, BAD[case]), _bad(mlplab, BAD[case])
    if isinstance(t, tuple):
        assert (tuple(m[0]), m[1], m[2]) == (tuple(t[0]), t[1], t[2])
    else:
        assert m == t


def _once(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (g,) = lib.autograd.grad(Cube.apply(x).sum(), x)
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with"):
        # the gradient reaching Cube (2 y) requires grad, so its backward is recorded
        (g2,) = lib.autograd.grad(Cube.apply(x).pow(2).sum(), x, create_graph=True)
        g2.sum().backward()
    return g.tolist()


def test_once_differentiable():
    assert _both(_once)[1] == _both(_once)[0] == [3.0, 12.0]


def _double_backward_through_function(lib):
    x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
    y = _legendre(lib).apply(x * 0.5)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    (h,) = lib.autograd.grad((g * g).sum(), x)
    return g.tolist(), h.tolist()


def test_second_derivative_through_a_user_function_matches_torch():
    t, m = _both(_double_backward_through_function)
    np.testing.assert_allclose(m[0], t[0], rtol=1e-12)
    np.testing.assert_allclose(m[1], t[1], rtol=1e-12)


def _in_module(lib):
    lib.manual_seed(0)
    relu = _relu(lib)
    rs = np.random.RandomState(0)
    lin = lib.nn.Linear(4, 3)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(rs.randn(3, 4), dtype=lib.float32))
        lin.bias.copy_(lib.tensor(rs.randn(3), dtype=lib.float32))
    x = lib.tensor(rs.randn(5, 4), dtype=lib.float32)
    loss = relu.apply(lin(x)).pow(2).mean()
    loss.backward()
    return loss.item(), lin.weight.grad.numpy(), lin.bias.grad.numpy()


def test_function_inside_a_module_matches_torch():
    t, m = _both(_in_module)
    assert m[0] == pytest.approx(t[0], rel=1e-6)
    np.testing.assert_allclose(m[1], t[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m[2], t[2], rtol=1e-5, atol=1e-6)
