"""Reverse-mode engine: topological order without recursion, gradient accumulation in leaves.

Every recorded node carries ``sequence_number``, its creation number. A node's consumers were all created
after it, so running nodes newest-first (a heap keyed on -seq) is a topological order: when a
node is popped, every gradient contribution for it has arrived and been summed. Only nodes that
receive a gradient are visited, there is no recursion (a 10,000-op chain is as safe as a short
one), and there is no separate sort pass. Leaves (tensors with ``requires_grad`` and no
``grad_fn``) accumulate into ``.grad``. Unless ``retain_graph``, each node drops its links to its
inputs once it has run, so the saved activations can be freed and a second backward through the
same graph raises, as in PyTorch.

Before a node runs, the engine checks that the tensors its backward reads (``Op.saves``) were not
changed in place since the node was recorded, comparing their versions now with those at
recording (``Op.saved_versions``), and raises PyTorch's error if one was. Only nodes recorded
before the latest in-place change anywhere (``tensor_base.last_inplace``) can fail, so the others
cost one comparison.
"""

from __future__ import annotations

import heapq
import re
from typing import Any

import numpy as np

from . import hooks as _hooks
from .tensor_base import TensorBase, last_inplace, sequence
from .view_bases import NO_EDGE_TYPES
from .views import changed as _views_changed
from .views import current_view_node, refresh, stale_view

leaf_hooks = _hooks.leaf_hooks

heappop, heappush = heapq.heappop, heapq.heappush
_new = object.__new__
_ndarray = np.ndarray

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward(). Specify retain_graph=True if you need to backward through the graph a second time."
)


# PyTorch's legacy tensor type names, which its message uses
_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


#: how PyTorch prints a node's name in that error where it differs from ``name()``
_TORCH_NODE_NAMES = {"CopySlices": "torch::autograd::CopySlices"}


class _Regenerated:
    """Stands for the node PyTorch regenerates for a view whose memory changed (in that error)."""

    @staticmethod
    def name() -> str:
        return "AsStridedBackward0"


def _node_now(t: Any) -> Any:
    """``t``'s node as PyTorch would show it now: a view whose memory changed since its node was
    recorded has a regenerated ``AsStridedBackward0`` (``views.refresh``)."""
    return _Regenerated if stale_view(t) is not None else t.grad_fn


def _modified(dtype: Any, shape: tuple, producer: Any, version: int, expected: int) -> RuntimeError:
    """PyTorch's error for a saved tensor changed in place (its wording, hint included)."""
    kind = _TYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)
    which = ""
    if producer is not None:  # PyTorch drops "Backward0" from the node's name, "Backward" from others
        name = _TORCH_NODE_NAMES.get(producer.name(), producer.name())
        which = f", which is output 0 of {re.sub(r'Backward(0$)?', '', name)},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{kind}Tensor [{', '.join(str(n) for n in shape)}]]{which} is at version "
        f"{version}; expected version {expected} instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _check_versions(node: Any) -> None:
    """Raise if a tensor ``node``'s backward reads changed in place since ``node`` was recorded."""
    if not getattr(node, "saves", ()):  # a node of another kind declares nothing: nothing to check
        return
    parents = node.parents
    recorded = node.saved_versions
    for i, needed in enumerate(node.needs_input_grad):
        if not needed:
            continue
        for j in node.reads(i):
            if j < 0:  # Op.OUTPUT: the node's own output, version 0 when it was made
                saved = node.saved_output
                if saved is not None and saved[0][0] != 0:
                    raise _modified(saved[1], saved[2], node, saved[0][0], 0)
            elif j < len(parents):
                t = parents[j]
                vc = getattr(t, "_version_counter", None)
                expected = 0 if recorded is None else recorded[j]
                if vc is not None and vc[0] != expected:
                    raise _modified(t._data.dtype, t._data.shape, _node_now(t), vc[0], expected)


def _recorded_producer(producer: Any, seq: int) -> Any:
    """The node that had produced a tensor when the consumer created at ``seq`` took it as input.

    A recorded in-place op (``x.mul_(2)`` while x requires grad) rebinds the tensor to its own,
    newer node, which keeps the node it displaced in ``replaces``; the consumer's gradient belongs
    to the producer of the value it read, as PyTorch's edges (fixed at recording) send it.
    """
    while producer.sequence_number > seq:
        replaced = getattr(producer, "replaces", None)
        if replaced is None:
            break
        producer = replaced
    return producer


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
        grad._version_counter = None
        t.grad = grad
    else:
        np.add(grad._data, g, out=grad._data)


def _hook_later(pending: dict, leaf: Any, g: np.ndarray) -> bool:
    """Sum a hooked leaf's gradient into ``pending`` (its hooks run once, at the end); False when
    the leaf has no hooks."""
    key = id(leaf)
    entry = pending.get(key)
    if entry is not None:
        entry[2] = entry[2] + g
        return True
    hooks = _hooks.leaf_entry(leaf)
    if hooks is None:
        return False
    pending[key] = [leaf, hooks, g]
    return True


def _retain(node: Any, g: np.ndarray) -> np.ndarray:
    """Run the output's hooks on ``g``, then keep the result as its ``.grad`` if retain_grad()."""
    if node.grad_hooks is not None:
        g = _hooks.run(node.grad_hooks[0], node.grad_hooks[1], g)
    r = node.retained_output
    if r is _hooks.HOOKS_ONLY:
        return g
    if r.grad is None:
        r.grad = r._make(np.array(g))
    else:
        r.grad = r._make(np.asarray(r.grad._data + g))
    return g


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
    if _views_changed[0]:  # a view as the root: its node as of now (PyTorch regenerates it)
        refresh(root, sequence)
    fn = root.grad_fn
    if fn is None:
        hooked = _hooks.leaf_entry(root) if leaf_hooks else None
        if hooked is not None and root._requires_grad.__class__ in NO_EDGE_TYPES:
            return  # a view with no gradient accumulator (view_bases.no_edge)
        _accumulate_leaf(root, g if hooked is None else _hooks.run(root, hooked, g))
        return

    # Nodes run in decreasing creation order (``sequence_number``): every consumer of a node was created
    # after it, so by the time a node is popped all its gradient contributions have arrived.
    # ``grads`` holds the summed gradient of every node in ``heap``. A chain (one producer waiting,
    # the heap empty) skips both: nothing else can still send that producer a gradient, since any
    # node yet to run is reached through it, so it runs next, as the heap would have had it.
    grads: dict[Any, Any] = {}
    heap: list[tuple[int, Any]] = []
    take_grad = grads.pop
    pending: dict[int, list] | None = {} if leaf_hooks else None  # hooked leaves: [leaf, hooks, sum]
    views = _views_changed[0]  # a view's memory was changed in place in a graph (autograd/views.py)
    node = fn
    while True:
        parents = node.parents
        if not parents:
            raise RuntimeError(_FREED)
        stale = node.sequence_number < last_inplace[0]  # something changed in place since it was recorded
        if stale:
            _check_versions(node)
        if node.retained_output is not None:  # retain_grad, or hooks (one test for both)
            g = _retain(node, g)
        in_grads = node.backward(g)
        if not retain_graph:
            node.parents = ()
        if type(in_grads) is not tuple:
            in_grads = tuple(in_grads) if type(in_grads) is list else (in_grads,)
        nxt = nxt_g = None  # the one producer waiting while the heap is empty: it runs next
        fresh = node.returns_fresh_grads
        for tensor, input_grad, needed in zip(parents, in_grads, node.needs_input_grad):
            if needed and input_grad is not None:
                producer = tensor.grad_fn
                if producer is not None:
                    if stale and producer.sequence_number > node.sequence_number:
                        producer = _recorded_producer(producer, node.sequence_number)
                    if views:
                        producer = current_view_node(node, parents, tensor, producer)
                if producer is not None:
                    if producer is nxt:
                        nxt_g = nxt_g + input_grad
                    elif producer in grads:
                        grads[producer] = grads[producer] + input_grad
                    elif nxt is None and not heap:
                        nxt, nxt_g = producer, input_grad
                    else:
                        grads[producer] = input_grad
                        heappush(heap, (-producer.sequence_number, producer))
                elif pending is not None and _hook_later(pending, tensor, input_grad):
                    pass
                elif (
                    fresh
                    and tensor.grad is None
                    and input_grad.__class__ is _ndarray  # a 0-d gradient may be a NumPy scalar
                    and input_grad.shape == (leaf_data := tensor._data).shape
                    and input_grad.dtype == leaf_data.dtype
                ):
                    # the usual leaf case (a layer's weight after zero_grad), inlined
                    # (Tensor._make written out, as in _accumulate_leaf)
                    grad = _new(tensor._output_type)
                    grad._data = input_grad
                    grad._requires_grad = False
                    grad.grad = None
                    grad.grad_fn = None
                    grad._version_counter = None
                    tensor.grad = grad
                else:
                    _accumulate_leaf(tensor, input_grad, fresh)
        if nxt is not None:
            if not heap:
                node, g = nxt, nxt_g
                continue
            grads[nxt] = nxt_g  # another producer joined it: the heap orders them
            heappush(heap, (-nxt.sequence_number, nxt))
        if not heap:
            if pending:
                for leaf, hooks, total in pending.values():
                    if leaf._requires_grad.__class__ not in NO_EDGE_TYPES:  # (view_bases.no_edge)
                        _accumulate_leaf(leaf, _hooks.run(leaf, hooks, total))
            return
        node = heappop(heap)[1]
        g = take_grad(node)
