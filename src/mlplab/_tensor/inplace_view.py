"""Recorded in-place changes of memory that other tensors share (a view, or a base with views).

An in-place op that must be recorded runs out of place (``InplaceMixin``). When no other tensor
shares the array, the tensor is simply rebound to the result. When one does (its version counter
is marked shared: ``tensor_base.share_version``), the result is written into the array itself, so
that every view and the base see it, as in PyTorch:

* through a view ``v`` of ``base`` (``x[0].mul_(3)``): ``base``'s node becomes ``CopySlices``
  (the old base with the view's elements replaced by the result), and ``v``'s node a copy of its
  view node made now, so its gradient reaches the new base node (PyTorch's view replay);
* on a base with views: the base's node becomes the op's node; views made before get their new
  node when a backward or a later in-place change needs it (``autograd/views.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import views
from ..autograd.tensor_base import bump_version, sequence
from ..ops.copy_slices import CopySlices

_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."
_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
_MULTI = (
    "Output {i} of {fn} is a view and is being modified inplace. This view is the output of a "
    "function that returns multiple views. Such functions do not allow the output views to be "
    "modified inplace. You should replace the inplace operation by an out-of-place one."
)


def is_shared(t: Any) -> bool:
    """True when ``t``'s array may be shared with another tensor (a view, a base, ``detach``)."""
    vc = t._version_counter
    return vc is not None and vc[1]


def check_writable(t: Any) -> None:
    """PyTorch's error for writing into an expanded tensor (elements sharing one location)."""
    a = t._data
    if any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape)):
        raise RuntimeError(_OVERLAP)


def old_value(t: Any) -> Any:
    """The input of an in-place op on shared memory: a copy of the values (the op's node may save
    them, and the result overwrites the array) with ``t``'s node as of now."""
    views.refresh(t, sequence)
    h = t._make(t._data.copy(), t._requires_grad)
    h.grad_fn = t.grad_fn
    return h


def write_shared(t: Any, result: Any) -> Any:
    """Make ``t`` the recorded ``result`` of an in-place op by writing into its shared array."""
    check_writable(t)
    chain = views.view_chain(t)
    base, base_node = chain[-1]
    if len(chain) == 1:  # t is the base: its views see the values; their nodes follow lazily
        np.copyto(t._data, result._data, casting="unsafe")
        node = result.grad_fn
    else:
        if base_node is None and base._requires_grad:
            raise RuntimeError(_LEAF)
        multi = getattr(t.grad_fn, "multi_view", None)
        if multi is not None:
            raise RuntimeError(_MULTI.format(i=multi[1], fn=multi[0]))
        index = np.arange(base._data.size).reshape(base._data.shape)
        for v, n in reversed(chain[:-1]):
            index = n.replay(index, v._data.shape)
        old = base._make(base._data, base._requires_grad)
        old.grad_fn = base_node
        node = CopySlices.apply(old, result, t._data, np.array(index, copy=True)).grad_fn
    bump_version(t)
    views.changed[0] = True
    node.replaces = base.grad_fn  # earlier consumers' gradients go to the old node
    base.grad_fn = node
    base._requires_grad = True
    if base is not t:
        views.refresh(t, sequence)  # t's view node, made again on the new base node
        t._requires_grad = True
    return t
