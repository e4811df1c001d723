"""Reverse-mode engine: topological order without recursion, gradient accumulation in leaves."""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function


def _toposort(root: Function) -> list[Function]:
    """Post-order of the graph above ``root`` (inputs before their consumers), iteratively.

    An explicit stack keeps a 10,000-op chain clear of Python's recursion limit.
    """
    order: list[Function] = []
    visited: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False)]
    while stack:
        fn, done = stack.pop()
        if done:
            order.append(fn)
            continue
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for t in fn.parents:
            g = t.grad_fn
            if g is not None and id(g) not in visited:
                stack.append((g, False))
    return order


def _accumulate_leaf(t: Any, g: np.ndarray) -> None:
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
    if g.shape != t._data.shape:
        g = np.broadcast_to(g, t._data.shape)
    if t.grad is None:
        # copy: backward functions may hand the same array to several inputs
        t.grad = _new_tensor(np.array(g, copy=True))
    else:
        gd = t.grad._data
        np.add(gd, g, out=gd)


def _new_tensor(arr: np.ndarray) -> Any:
    from ..tensor import Tensor

    return Tensor._make(arr)


def backward(root: Any, gradient: Any = None, retain_graph: bool = False) -> None:
    """Propagate d(root)/d(leaf) * gradient into every leaf's ``.grad``.

    ``gradient`` may be omitted only for a one-element output (it is then 1).
    """
    if not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    data = root._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs (output has shape "
                f"{tuple(data.shape)}; pass gradient= of that shape)"
            )
        g = np.ones_like(data)
    else:
        g = gradient._data if hasattr(gradient, "_data") else np.asarray(gradient)
        if g.shape != data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {tuple(g.shape)} and "
                f"output[0] has a shape of {tuple(data.shape)}."
            )
        g = g.astype(data.dtype, copy=False)
    fn = root.grad_fn
    if fn is None:
        _accumulate_leaf(root, g)
        return
    order = _toposort(fn)
    grads: dict[int, np.ndarray] = {id(fn): g}
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if node.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True if you "
                "need to backward through the graph a second time."
            )
        if node.retained is not None:
            r = node.retained
            if r.grad is None:
                r.grad = _new_tensor(np.array(g, copy=True))
            else:
                r.grad = _new_tensor(r.grad._data + g)
        in_grads = node.backward(g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for t, ig, need in zip(node.parents, in_grads, node.needs):
            if not need or ig is None:
                continue
            pf = t.grad_fn
            if pf is None:
                _accumulate_leaf(t, ig)
            else:
                k = id(pf)
                prev = grads.get(k)
                grads[k] = ig if prev is None else prev + ig
        if not retain_graph:
            node.freed = True
