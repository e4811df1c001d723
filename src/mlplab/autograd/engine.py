"""Reverse-mode engine: topological order without recursion, gradient accumulation in leaves.

Every recorded node carries ``sequence_number``, its creation number. A node's consumers were all created
after it, so running nodes newest-first (a heap keyed on -seq) is a topological order: when a
node is popped, every gradient contribution for it has arrived and been summed. Only nodes that
receive a gradient are visited, there is no recursion (a 10,000-op chain is as safe as a short
one), and there is no separate sort pass. Leaves (tensors with ``requires_grad`` and no
``grad_fn``) accumulate into ``.grad``. Unless ``retain_graph``, each node drops its links to its
inputs once it has run, so the saved activations can be freed and a second backward through the
same graph raises, as in PyTorch.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from .tensor_base import TensorBase

heappop, heappush = heapq.heappop, heapq.heappush
_new = object.__new__
_ndarray = np.ndarray

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward(). Specify retain_graph=True if you need to backward through the graph a second time."
)


def _accumulate_leaf(t: Any, g: np.ndarray, owned: bool = False) -> None:
    """Add ``g`` into leaf ``t``'s ``.grad`` (in place when it exists, as PyTorch does).

    ``owned``: ``g`` is referenced by nothing else (``Op.returns_fresh_grads``), so it may
    become the new ``.grad`` as it is; otherwise it is copied.
    """
    data = t._data
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    if g.shape != data.shape:
        g = np.broadcast_to(g, data.shape)
        owned = False
    grad = t.grad
    if grad is None:
        # a copy unless owned: backward functions may hand the same array to several inputs.
        # The new .grad is Tensor._make(array) written out: built on every backward, where a call
        # would cost a few per cent of a small op.
        grad = _new(t._output_type)
        grad._data = g if owned and g.__class__ is _ndarray else np.array(g)  # never a NumPy scalar
        grad._requires_grad = False
        grad.grad = None
        grad.grad_fn = None
        t.grad = grad
    else:
        np.add(grad._data, g, out=grad._data)


def _retain(node: Any, g: np.ndarray) -> None:
    r = node.retained_output
    if r.grad is None:
        r.grad = r._make(np.array(g))
    else:
        r.grad = r._make(np.asarray(r.grad._data + g))


def backward(root: Any, gradient: Any = None, retain_graph: bool = False) -> None:
    """Propagate d(root)/d(leaf) * gradient into every leaf's ``.grad``.

    ``gradient`` may be omitted only for a one-element output (it is then 1).
    """
    if not root._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    data = root._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs (output has shape "
                f"{tuple(data.shape)}; pass gradient= of that shape)"
            )
        g = np.empty(data.shape, data.dtype)
        g.fill(1)
    else:
        g = gradient._data if isinstance(gradient, TensorBase) else np.asarray(gradient)
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

    # Nodes run in decreasing creation order (``sequence_number``): every consumer of a node was created
    # after it, so by the time a node is popped all its gradient contributions have arrived.
    grads: dict[Any, Any] = {}
    heap: list[tuple[int, Any]] = []
    take_grad = grads.pop
    node = fn
    while True:
        parents = node.parents
        if not parents:
            raise RuntimeError(_FREED)
        if node.retained_output is not None:
            _retain(node, g)
        in_grads = node.backward(g)
        if not retain_graph:
            node.parents = ()
        if type(in_grads) is not tuple:
            in_grads = tuple(in_grads) if type(in_grads) is list else (in_grads,)
        for tensor, input_grad, needed in zip(parents, in_grads, node.needs_input_grad):
            if needed and input_grad is not None:
                producer = tensor.grad_fn
                if producer is not None:
                    if producer in grads:
                        grads[producer] = grads[producer] + input_grad
                    else:
                        grads[producer] = input_grad
                        heappush(heap, (-producer.sequence_number, producer))
                elif (
                    tensor.grad is None
                    and node.returns_fresh_grads
                    and input_grad.dtype == tensor._data.dtype
                    and input_grad.shape == tensor._data.shape
                    and input_grad.__class__ is _ndarray  # a 0-d gradient may be a NumPy scalar
                ):
                    # the usual leaf case (a layer's weight after zero_grad), inlined
                    # (Tensor._make written out, as in _accumulate_leaf)
                    grad = _new(tensor._output_type)
                    grad._data = input_grad
                    grad._requires_grad = False
                    grad.grad = None
                    grad.grad_fn = None
                    tensor.grad = grad
                else:
                    _accumulate_leaf(tensor, input_grad, node.returns_fresh_grads)
        if not heap:
            return
        node = heappop(heap)[1]
        g = take_grad(node)
