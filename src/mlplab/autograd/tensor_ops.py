"""Helpers for backward formulas written on tensors (``create_graph=True``, user Functions).

Autograd never imports ``Tensor`` (it sits above this layer): these helpers call the methods of the
tensors they are given, so every step is itself recorded in the graph.
"""

from __future__ import annotations

from typing import Any


def sum_to(t: Any, shape: tuple) -> Any:
    """Sum tensor ``t`` down to ``shape``: the adjoint of broadcasting ``shape`` to ``t.shape``
    (the differentiable twin of :func:`mlplab.autograd.op.unbroadcast`)."""
    shape = tuple(shape)
    if tuple(t.shape) == shape:
        return t
    extra = t.dim() - len(shape)
    if extra:
        t = t.sum(dim=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and t.shape[i] != 1)
    if axes:
        t = t.sum(dim=axes, keepdim=True)
    return t.reshape(shape)


def expand_to(g: Any, shape: tuple, axis: Any, keepdim: bool) -> Any:
    """Tensor ``g``, the result of reducing ``shape`` over ``axis`` (None: all axes), broadcast
    back to ``shape``: the adjoint of a sum, recorded in the graph."""
    n = len(shape)
    if axis is None:
        kept = (1,) * n
    else:
        kept = tuple(1 if i in axis else s for i, s in enumerate(shape))
    if tuple(g.shape) != kept:
        g = g.reshape(kept)
    return g.expand(*shape) if shape else g
