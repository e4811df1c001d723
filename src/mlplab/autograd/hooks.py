"""Gradient hooks on tensors (``Tensor.register_hook``): ``hook(grad) -> None | new grad``.

A non-leaf tensor's hooks live on its ``grad_fn`` node (``node.grad_hooks``, flagged through
``node.retained_output``, which the engine tests anyway); the engine runs them
on the gradient that arrived at the node, before the node's backward (and before ``retain_grad``
stores it, so a retained gradient shows the hooks' result, as in PyTorch). A leaf's hooks live in
:data:`leaf_hooks`; while that table is empty the engine pays one truth test per backward pass.
A hooked leaf's contributions in one backward pass are summed first and the hooks run once on the
sum, as on PyTorch's ``AccumulateGrad`` node. ``autograd.grad`` and create_graph passes
(autograd/differentiate.py) run them too: there the gradient may be a recorded tensor.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .tensor_base import TensorBase

#: ``node.retained_output`` of a node whose output has hooks but no ``retain_grad``: the engine
#: tests that one attribute for both, so a graph without hooks pays nothing for them
HOOKS_ONLY = object()
#: id(leaf) -> (weak reference to the leaf, {handle id: hook})
leaf_hooks: dict[int, tuple[Any, dict]] = {}
_ids = itertools.count()


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, table: dict, key: int) -> None:
        self._table, self.id = weakref.ref(table), key

    def remove(self) -> None:
        table = self._table()
        if table is not None:
            table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *args: Any) -> None:
        self.remove()


class _HookTable(dict):
    """{handle id: hook} (a dict subclass, so a handle can hold a weak reference to it)."""


def register(tensor: Any, hook: Callable) -> RemovableHandle:
    """Register ``hook`` on ``tensor`` (a leaf or a non-leaf) and return its handle."""
    node = tensor.grad_fn
    if node is not None:
        hooks = getattr(node, "grad_hooks", None)
        if hooks is None:
            hooks = _HookTable()
            node.grad_hooks = (tensor, hooks)
            if node.retained_output is None:
                node.retained_output = HOOKS_ONLY
        else:
            hooks = hooks[1]
    else:
        key = id(tensor)
        entry = leaf_hooks.get(key)
        if entry is None:
            ref = weakref.ref(tensor, lambda _, key=key: leaf_hooks.pop(key, None))
            entry = leaf_hooks[key] = (ref, _HookTable())
        hooks = entry[1]
    key = next(_ids)
    hooks[key] = hook
    return RemovableHandle(hooks, key)


def run(tensor: Any, hooks: dict, g: np.ndarray) -> np.ndarray:
    """Call each hook in registration order with the gradient as a tensor; a returned tensor
    replaces the gradient for the hooks after it and for the rest of the pass."""
    for hook in list(hooks.values()):
        out = hook(tensor._make(g))
        if out is not None:
            new = out._data
            if new.shape != g.shape:
                raise RuntimeError(
                    f"hook 'hook' has changed the size of value: expected {tuple(g.shape)}, "
                    f"got {tuple(new.shape)}"
                )
            g = new
    return g


def run_any(tensor: Any, hooks: dict, g: Any) -> Any:
    """:func:`run` for a gradient that is an array, or a tensor (a create_graph pass: the hooks
    see, and may return, recorded tensors)."""
    if not isinstance(g, TensorBase):
        return run(tensor, hooks, g)
    for hook in list(hooks.values()):
        out = hook(g)
        if out is not None:
            g = out
    return g


def leaf_entry(tensor: Any) -> dict | None:
    """The hooks of a leaf, or None."""
    entry = leaf_hooks.get(id(tensor))
    if entry is None or entry[0]() is not tensor or not entry[1]:
        return None
    return entry[1]
