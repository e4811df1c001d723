"""Reverse-mode engine: topological order without recursion, gradient accumulation in leaves.

``backward(root)`` first counts, for every node above ``root``, how many consumers inside this
graph will hand it a gradient (one iterative sweep, so a 10,000-op chain is as safe as a short
one). It then runs Kahn's algorithm: a node's ``backward`` runs once every consumer has
contributed, with the contributions summed. Leaves (tensors with ``requires_grad`` and no
``grad_fn``) accumulate into ``.grad``. Unless ``retain_graph``, each node drops its links to its
inputs once it has run, so the saved activations can be freed and a second backward through the
same graph raises, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import function

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward(). Specify retain_graph=True if you need to backward through the graph a second time."
)


def _accumulate_leaf(t: Any, g: np.ndarray) -> None:
    """Add ``g`` into leaf ``t``'s ``.grad`` (in place when it exists, as PyTorch does)."""
    d = t._data
    if g.dtype != d.dtype:
        g = g.astype(d.dtype)
    if g.shape != d.shape:
        g = np.broadcast_to(g, d.shape)
    grad = t.grad
    if grad is None:
        # a copy: backward functions may hand the same array to several inputs
        T = function._Tensor
        grad = T.__new__(T)
        grad._data = np.array(g)
        grad._rg = False
        grad.grad = None
        grad.grad_fn = None
        t.grad = grad
    else:
        gd = grad._data
        np.add(gd, g, out=gd)


def _retain(node: Any, g: np.ndarray) -> None:
    r = node.retained
    if r.grad is None:
        r.grad = function._Tensor._make(np.array(g))
    else:
        r.grad = function._Tensor._make(r.grad._data + g)


def backward(root: Any, gradient: Any = None, retain_graph: bool = False) -> None:
    """Propagate d(root)/d(leaf) * gradient into every leaf's ``.grad``.

    ``gradient`` may be omitted only for a one-element output (it is then 1).
    """
    if not root._rg:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    data = root._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs (output has shape "
                f"{tuple(data.shape)}; pass gradient= of that shape)"
            )
        g = np.ones(data.shape, data.dtype)
    else:
        g = gradient._data if isinstance(gradient, function._Tensor) else np.asarray(gradient)
        if g.shape != data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {tuple(g.shape)} and "
                f"output[0] has a shape of {tuple(data.shape)}."
            )
        if g.dtype != data.dtype:
            g = g.astype(data.dtype)
    fn = root.grad_fn
    if fn is None:
        _accumulate_leaf(root, g)
        return

    # consumers inside this graph of every node (Function objects hash by identity)
    deps: dict[Any, int] = {fn: 0}
    stack = [fn]
    pop, push = stack.pop, stack.append
    while stack:
        for t in pop().parents:
            p = t.grad_fn
            if p is not None:
                if p in deps:
                    deps[p] += 1
                else:
                    deps[p] = 1
                    push(p)

    grads: dict[Any, Any] = {fn: g}
    ready = [fn]
    pop, push = ready.pop, ready.append
    gpop, gget = grads.pop, grads.get
    accumulate = _accumulate_leaf
    while ready:
        node = pop()
        g = gpop(node, None)
        parents = node.parents
        if g is not None:
            if node.freed:
                raise RuntimeError(_FREED)
            if node.retained is not None:
                _retain(node, g)
            in_grads = node.backward(g)
            if type(in_grads) is not tuple:
                in_grads = tuple(in_grads) if type(in_grads) is list else (in_grads,)
            for t, ig, need in zip(parents, in_grads, node.needs):
                p = t.grad_fn
                if p is None:
                    if need and ig is not None:
                        accumulate(t, ig)
                    continue
                if need and ig is not None:
                    prev = gget(p)
                    grads[p] = ig if prev is None else prev + ig
                n = deps[p] - 1
                deps[p] = n
                if not n:
                    push(p)
        else:
            # no gradient reached this node: still release its inputs' pending counts
            for t in parents:
                p = t.grad_fn
                if p is not None:
                    n = deps[p] - 1
                    deps[p] = n
                    if not n:
                        push(p)
        if not retain_graph:
            node.parents = ()
            node.freed = True
