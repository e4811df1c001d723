r"""``autograd.functional.jacobian`` and ``hessian`` (reverse mode, one ``autograd.grad`` per row).

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
