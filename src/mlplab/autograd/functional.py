r"""``autograd.functional``: ``jacobian`` and ``hessian`` (reverse mode, one ``autograd.grad`` per
row), and the products with a vector ``vjp``, ``jvp``, ``vhp``, ``hvp`` (one or two backward passes).

For y = f(x), J[i, j] = dy_i/dx_j, returned with shape ``y.shape + x.shape``; for a scalar f the
Hessian H = J(grad f), shape ``x.shape + x.shape``. Tuples of inputs (and of outputs) give
tuples (of tuples) of blocks, as PyTorch. Row i is ``grad(y_i, x)``; with ``create_graph`` the
rows are assembled with recorded tensor operations (J = \sum_i e_i g_i^T), so J itself can be
differentiated, which is how ``hessian`` calls ``jacobian`` twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .differentiate import grad
from .grad_mode import enable_grad
from .tensor_base import TensorBase


def _prepare(inputs: Any, create_graph: bool) -> tuple[bool, list]:
    is_tuple = isinstance(inputs, (tuple, list))
    ins = list(inputs) if is_tuple else [inputs]
    for i, x in enumerate(ins):
        if not isinstance(x, TensorBase):
            raise TypeError(
                f"The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the "
                f"value at index {i} has type {type(x)}."
            )
    with enable_grad():
        xs = [
            x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in ins
        ]
    return is_tuple, xs


def _rows(y: Any, xs: list, create_graph: bool, strict: bool, k_out: int) -> list:
    """The Jacobian blocks of output ``y`` w.r.t. each of ``xs`` (each ``y.shape + x.shape``)."""
    n = y.numel()
    flat = y.reshape(-1)
    blocks: list[Any] = [None] * len(xs)
    for i in range(n):
        gs = grad(flat[i], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
        for j, (g, x) in enumerate(zip(gs, xs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {k_out} of the user-provided function is independent of input {j}. "
                        "This is not allowed in strict mode."
                    )
                continue
            if create_graph:
                e = np.zeros((n, 1), x._data.dtype)
                e[i] = 1
                term = x._make(e) * g.reshape(1, -1)
                blocks[j] = term if blocks[j] is None else blocks[j] + term
            else:
                if blocks[j] is None:
                    blocks[j] = np.zeros((n, x.numel()), x._data.dtype)
                blocks[j][i] = g._data.reshape(-1)
    out = []
    for b, x in zip(blocks, xs):
        shape = tuple(y.shape) + tuple(x.shape)
        if b is None:
            out.append(x._make(np.zeros(shape, x._data.dtype)))
        elif isinstance(b, np.ndarray):
            out.append(x._make(b.reshape(shape)))
        else:
            out.append(b.reshape(shape))
    return out


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs`` (``vectorize`` only changes speed in PyTorch; here
    every row is its own backward pass)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("mlplab computes Jacobians in reverse mode only (strategy='reverse-mode')")
    in_tuple, xs = _prepare(inputs, create_graph)
    with enable_grad():
        outs = func(*xs)
        out_tuple = isinstance(outs, tuple)
        ys = outs if out_tuple else (outs,)
        blocks = [_rows(y, xs, create_graph, strict, k) for k, y in enumerate(ys)]
    per_out = [tuple(b) if in_tuple else b[0] for b in blocks]
    return tuple(per_out) if out_tuple else per_out[0]


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of scalar ``func`` at ``inputs``: the Jacobian of its gradient."""
    in_tuple, xs = _prepare(inputs, create_graph)

    def gradient(*args: Any) -> Any:
        out = func(*args)
        if not isinstance(out, TensorBase) or out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single element"
            )
        g = jacobian(func, args, create_graph=True, strict=strict)
        return g if in_tuple else g[0]

    return jacobian(
        gradient, tuple(xs) if in_tuple else xs[0], create_graph, strict, vectorize, outer_jacobian_strategy
    )


# ------------------------------------------------------------------ products with a vector
def _as_list(v: Any, other: list, other_tuple: bool, name: str) -> list:
    """``v`` as a list matching ``other`` in length and shapes (torch's messages)."""
    vs = list(v) if isinstance(v, (tuple, list)) else [v]
    if other_tuple and len(vs) != len(other):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(vs)}.")
    if not other_tuple and len(vs) != 1:
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(vs, other)):
        if tuple(a.shape) != tuple(b.shape):
            where = f"Entry {i} in " if other_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got {a.size()}.")
    return vs


def _finish(gs: Any, xs: list, create_graph: bool, strict: bool) -> list:
    out = []
    for i, (g, x) in enumerate(zip(gs, xs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )
            g = x._make(np.zeros(x._data.shape, x._data.dtype))
        out.append(g if create_graph else g.detach())
    return out


def _pack(items: list, as_tuple: bool) -> Any:
    return tuple(items) if as_tuple else items[0]


def vjp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(f(x), v^T J): the vector-Jacobian product, one backward pass with ``grad_outputs=v`` (v may
    be None for a function with a single-element output)."""
    in_tuple, xs = _prepare(inputs, create_graph)
    with enable_grad():
        outs = func(*xs)
    out_tuple = isinstance(outs, tuple)
    ys = list(outs) if out_tuple else [outs]
    if v is None:
        if len(ys) != 1 or ys[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single Tensor "
                "with a single element."
            )
        vs = None
    else:
        vs = _as_list(v, ys, out_tuple, "v")
    with enable_grad():
        gs = grad(ys, xs, grad_outputs=vs, create_graph=create_graph, allow_unused=True)
    res = _finish(gs, xs, create_graph, strict)
    ys = [y if create_graph else y.detach() for y in ys]
    return _pack(ys, out_tuple), _pack(res, in_tuple)


def jvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(f(x), J v): the Jacobian-vector product by the double-backward trick, as PyTorch computes
    it: g(u) = u^T J is linear in a dummy u, so d(g . v)/du = J v."""
    if strict:
        raise NotImplementedError("mlplab's jvp does not check strict mode (use strict=False)")
    in_tuple, xs = _prepare(inputs, True)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a single "
                "Tensor with a single element."
            )
        vs = [xs[0]._make(np.ones(xs[0]._data.shape, xs[0]._data.dtype))]
    else:
        vs = _as_list(v, xs, in_tuple, "v")
    with enable_grad():
        outs = func(*xs)
        out_tuple = isinstance(outs, tuple)
        ys = list(outs) if out_tuple else [outs]
        us = [y._make(np.zeros(y._data.shape, y._data.dtype)).requires_grad_(True) for y in ys]
        gs = grad(ys, xs, grad_outputs=us, create_graph=True, allow_unused=True)
        pairs = [(g, vi) for g, vi in zip(gs, vs) if g is not None]
        if pairs:
            jv = grad(
                [g for g, _ in pairs],
                us,
                grad_outputs=[vi for _, vi in pairs],
                create_graph=create_graph,
                allow_unused=True,
            )
        else:
            jv = [None] * len(us)
    res = _finish(jv, ys, create_graph, False)
    ys = [y if create_graph else y.detach() for y in ys]
    return _pack(ys, out_tuple), _pack(res, out_tuple)


def vhp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(f(x), v^T H) for a scalar f: the gradient with its graph, then a backward pass of it with
    ``grad_outputs=v``."""
    if strict:
        raise NotImplementedError("mlplab's vhp/hvp do not check strict mode (use strict=False)")
    in_tuple, xs = _prepare(inputs, True)
    with enable_grad():
        out = func(*xs)
        if isinstance(out, tuple) or out.numel() != 1:
            raise RuntimeError("The function given to hvp should return a single Tensor")
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function is a "
                    "single Tensor with a single element."
                )
            vs = [xs[0]._make(np.ones(xs[0]._data.shape, xs[0]._data.dtype))]
        else:
            vs = _as_list(v, xs, in_tuple, "v")
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        pairs = [(g, vi) for g, vi in zip(gs, vs) if g is not None]
        hv = (
            grad(
                [g for g, _ in pairs],
                xs,
                grad_outputs=[vi for _, vi in pairs],
                create_graph=create_graph,
                allow_unused=True,
            )
            if pairs
            else [None] * len(xs)
        )
    res = _finish(hv, xs, create_graph, False)
    return (out if create_graph else out.detach()), _pack(res, in_tuple)


def hvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(f(x), H v) for a scalar f. H is symmetric, so H v = (v^T H)^T is computed as :func:`vhp`
    (PyTorch takes the double-backward route; the two agree up to float rounding)."""
    return vhp(func, inputs, v, create_graph, strict)
