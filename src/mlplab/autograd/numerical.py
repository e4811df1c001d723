r"""Numerical differentiation, as the notes' chapter on it teaches, and ``gradcheck``.

Central vs one-sided differences. The forward difference (f(x+h) - f(x)) / h has truncation error
O(h) (the f''(x) h / 2 term of the Taylor series survives); the central difference

    f'(x) ~ (f(x+h) - f(x-h)) / (2h)

cancels the even terms, leaving an O(h^2) error (f'''(x) h^2 / 6). That is why every function
here uses it.

Why h must not be too small. Each evaluation of f carries a rounding error of about eps*|f(x)|
(eps = 2.2e-16 in float64, 1.2e-7 in float32); dividing by 2h amplifies it to eps*|f|/h. The
total error ~ C h^2 + eps |f| / h is smallest near h ~ eps^(1/3): about 1e-5 in float64. With
h = 1e-10 the rounding term dominates and the "derivative" is noise; in float32 even 1e-4 is
marginal. The notes' default h = 1e-4 is a safe choice for float64 arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .differentiate import grad
from .grad_mode import enable_grad, no_grad
from .tensor_base import TensorBase


def derivative(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """f'(x) by the central difference (f(x+h) - f(x-h)) / (2h).

    >>> round(derivative(lambda x: x**2, 2.0), 3)
    4.0
    """
    return (float(f(x + h)) - float(f(x - h))) / (2 * h)


def partial(f: Callable[..., float], args: Sequence[float], i: int, h: float = 1e-4) -> float:
    """df/d(args[i]) at ``args``: vary the i-th argument only, hold the others fixed.

    partial(f, (x, y), 0) ~ (f(x+h, y) - f(x-h, y)) / (2h).
    """
    a = [float(v) for v in args]
    if not 0 <= i < len(a):
        raise IndexError(f"partial: argument index {i} out of range for {len(a)} arguments")
    hi, lo = list(a), list(a)
    hi[i] += h
    lo[i] -= h
    return (float(f(*hi)) - float(f(*lo))) / (2 * h)


def gradient(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-4) -> np.ndarray:
    """The gradient of scalar ``f`` at array ``x`` (any shape), one central difference per element.

    ``x`` is perturbed in place and restored, so ``f`` sees the array it would normally see.

    >>> gradient(lambda a: (a**2).sum(), np.array([[2., 3.], [4., 5.], [6., 7.]]))
    array([[ 4.,  6.],
           [ 8., 10.],
           [12., 14.]])
    """
    arr = x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else np.array(x, dtype=np.float64)
    grad = np.zeros_like(arr, dtype=np.float64)
    flat = arr.reshape(-1)  # a view: writes show through to ``arr``
    gflat = grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        fp = float(f(arr))
        flat[k] = old - h
        fm = float(f(arr))
        flat[k] = old
        gflat[k] = (fp - fm) / (2 * h)
    return grad


def numerical_grad(loss_fn: Callable[[], Any], params: Sequence[Any], h: float = 1e-4) -> list[np.ndarray]:
    """Central-difference gradient of ``loss_fn()`` w.r.t. each tensor in ``params``.

    ``loss_fn`` takes no argument and reads the parameters (e.g. runs the model on a batch); each
    parameter element is nudged by +-h in place. Returns one array per parameter, shaped like it.
    This is how the notes train a network "by numerical gradients" (section 2.4): 2 forward passes
    per parameter, which is why backpropagation exists.
    """
    out = []
    with no_grad():
        for p in params:
            arr = p._data if hasattr(p, "_data") else p

            def f(_: np.ndarray) -> float:
                v = loss_fn()
                return float(v.item() if hasattr(v, "item") else v)

            out.append(gradient(f, arr, h).astype(arr.dtype, copy=False))
    return out


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when autograd and finite differences disagree."""


def _jacobians(fn: Callable[..., Any], inputs: list[Any], eps: float) -> tuple[list, list, Any]:
    out = fn(*inputs)
    if not isinstance(out, TensorBase):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    n_out = out.numel()
    diff = [i for i, t in enumerate(inputs) if isinstance(t, TensorBase) and t.requires_grad]
    analytic = {i: np.zeros((n_out, inputs[i].numel())) for i in diff}
    for k in range(n_out):
        for i in diff:
            inputs[i].grad = None
        out = fn(*inputs)
        if not out.requires_grad:
            continue
        seed = np.zeros(out.shape, dtype=out._data.dtype)
        seed.reshape(-1)[k] = 1.0
        out.backward(out._make(seed))
        for i in diff:
            g = inputs[i].grad
            if g is not None:
                analytic[i][k] = g._data.reshape(-1)
    numeric = {}
    with no_grad():
        for i in diff:
            arr = inputs[i]._data
            flat = arr.reshape(-1)
            jac = np.zeros((n_out, arr.size))
            for j in range(arr.size):
                old = flat[j]
                flat[j] = old + eps
                fp = np.array(fn(*inputs)._data, dtype=np.float64).reshape(-1)
                flat[j] = old - eps
                fm = np.array(fn(*inputs)._data, dtype=np.float64).reshape(-1)
                flat[j] = old
                jac[:, j] = (fp - fm) / (2 * eps)
            numeric[i] = jac
    for i in diff:
        inputs[i].grad = None
    return [analytic[i] for i in diff], [numeric[i] for i in diff], diff


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare autograd's Jacobian of ``fn(*inputs)`` with central differences, in float64.

    Floating inputs are copied to float64 leaves (keeping ``requires_grad``); element (o, j) of the
    Jacobian passes when |analytic - numeric| <= atol + rtol * |numeric|. Returns True, or raises
    :class:`GradcheckError` naming the worst element (or returns False if ``raise_exception`` is
    False).
    """
    if isinstance(inputs, TensorBase) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    ins = [_float64_leaf(t) for t in inputs]
    if not any(isinstance(t, TensorBase) and t.requires_grad for t in ins):
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    analytic, numeric, idx = _jacobians(fn, ins, eps)
    worst = None
    for a, n, i in zip(analytic, numeric, idx):
        err = np.abs(a - n) - (atol + rtol * np.abs(n))
        if err.size and err.max() > 0:
            o, j = np.unravel_index(int(np.argmax(err)), err.shape)
            if worst is None or err[o, j] > worst[0]:
                worst = (err[o, j], i, o, j, a[o, j], n[o, j])
    if worst is None:
        return True
    _, i, o, j, av, nv = worst
    shape = tuple(ins[i].shape)
    where = tuple(int(w) for w in np.unravel_index(j, shape)) if shape else ()
    out_shape = tuple(fn(*ins).shape)
    owhere = tuple(int(w) for w in np.unravel_index(o, out_shape)) if out_shape else ()
    msg = (
        f"Jacobian mismatch for input {i} (shape {shape}) at element {where}, "
        f"output element {owhere}: analytical {av:.10g} vs numerical {nv:.10g} "
        f"(atol={atol}, rtol={rtol}, eps={eps})"
    )
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    r"""Check second derivatives: :func:`gradcheck` applied to the first derivative.

    With v = ``grad_outputs`` (random, fixed seed, when None) and y = fn(x), the function
    (x, v) -> v^T dy/dx (``autograd.grad(..., create_graph=True)``) is itself differentiated by
    autograd and by central differences, w.r.t. x and v, one gradient at a time (float64).
    """
    if isinstance(inputs, TensorBase) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    ins = [_float64_leaf(t) for t in inputs]
    diff = [i for i, t in enumerate(ins) if isinstance(t, TensorBase) and t.requires_grad]
    outs = fn(*ins)
    outs = (outs,) if isinstance(outs, TensorBase) else tuple(outs)
    if grad_outputs is None:
        rs = np.random.RandomState(0)
        gos = [o._make(np.asarray(rs.randn(*o.shape))) for o in outs]
    else:
        gos = [grad_outputs] if isinstance(grad_outputs, TensorBase) else list(grad_outputs)
    gos = [_float64_leaf(g) for g in gos]
    for g in gos:
        g.requires_grad_(True)
    n = len(ins)
    ok = True
    for k in range(len(diff)):

        def first(*args: Any, k: int = k) -> Any:
            xs, vs = list(args[:n]), args[n:]
            with enable_grad():  # also when the finite differences call it under no_grad
                ys = fn(*xs)
                ys = (ys,) if isinstance(ys, TensorBase) else tuple(ys)
                gs = grad(ys, [xs[i] for i in diff], vs, create_graph=True, materialize_grads=True)
            return gs[k]

        ok = gradcheck(first, (*ins, *gos), eps, atol, rtol, raise_exception) and ok
    return ok


def _float64_leaf(t: Any) -> Any:
    """A float64 copy of a floating tensor as a new leaf (keeping ``requires_grad``); else ``t``."""
    if isinstance(t, TensorBase) and t._data.dtype.kind == "f":
        c = t._make(np.array(t._data, dtype=np.float64))
        c.requires_grad_(t.requires_grad)
        return c
    return t
