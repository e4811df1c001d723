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

from ..autograd import view_bases, views
from ..autograd.tensor_base import bump_version, sequence
from ..ops.copy_slices import AsStrided, CopySlices, RefusedView

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

_MULTI_NO_GRAD = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. This "
    "view is the output of a function that returns multiple views. Such functions do not allow the "
    "output views to be modified inplace. You should replace the inplace operation by an "
    "out-of-place one."
)
_NO_GRAD_VIEW_OF_VIEW = (
    "Output 0 of {op} is a view of a view which was created in no_grad mode and is being modified "
    "inplace with grad mode enabled. " + views._NO_GRAD_VIEW.split("enabled. ", 1)[1]
)
_CHANGED = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. "
)
#: the error PyTorch raises when a view of a base changed in place is used, by the view's kind
_SIBLING = {
    "no_grad": _CHANGED + views._NO_GRAD_VIEW.split("enabled. ", 1)[1],
    "no_grad_of_view": _CHANGED + views._NO_GRAD_VIEW.split("enabled. ", 1)[1],
    "multi": _CHANGED + _MULTI_NO_GRAD.split("enabled. ", 1)[1],
}


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
    chain = views.view_chain(t)
    base, base_node = chain[-1]
    if base_node is None and base._requires_grad.__class__ is view_bases.NoGradView:
        if base is not t:  # a view of a view made under no_grad: PyTorch refuses it before all else
            multi = getattr(t.grad_fn, "multi_view", None)  # (an output of split: that error)
            if multi is not None:
                raise RuntimeError(_MULTI.format(i=multi[1], fn=multi[0]))
            raise RuntimeError(_NO_GRAD_VIEW_OF_VIEW.format(op=view_bases.short_name(t.grad_fn.name())))
    check_writable(t)
    if len(chain) == 1:
        outside = view_bases.base_of(t)
        if outside is not None:  # a view made outside the graph: its base joins it
            return _through_outside_view(t, outside, result)
        # t is the base: its views see the values; their nodes follow lazily
        np.copyto(_target(t._data), result._data, casting="unsafe")
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
        node = _copy_slices(base, result, t, np.array(index, copy=True))
    bump_version(t)
    views.changed[0] = True
    node.replaces = base.grad_fn  # earlier consumers' gradients go to the old node
    base.grad_fn = node
    base._requires_grad = True
    if base is not t:
        views.refresh(t, sequence)  # t's view node, made again on the new base node
        t._requires_grad = True
    views.regenerate(t, base, sequence)  # the other views' nodes, as PyTorch shows them
    _other_views(base, t)
    return t


def _refusal(outside: tuple) -> str:
    """PyTorch's message refusing an in-place change, with grad mode on, of a view recorded as
    ``(base, kind, ...)`` (``autograd/view_bases.py``). PyTorch names the view's op only when the
    view has a node (its base requires grad)."""
    kind = outside[1]
    if kind == "multi":
        return _MULTI_NO_GRAD
    if kind == "no_grad_of_view" and outside[0]._requires_grad:
        return _NO_GRAD_VIEW_OF_VIEW.format(op=view_bases.op_name(outside[2]))
    return views._NO_GRAD_VIEW


def check_outside_view(t: Any) -> None:
    """Raise PyTorch's error for an in-place change with grad mode on of ``t`` when it is a view
    made outside the graph of a base that now requires grad: under no_grad (torch's no_grad
    messages), or of a leaf (``requires_grad_()`` called on the base after the view was made)."""
    m = view_bases.base_of(t)
    if m is None:
        return
    base = m[0] if m.__class__ is tuple else m
    if not base._requires_grad:
        return  # a change with an operand that requires grad: write_shared decides
    if m.__class__ is tuple:
        if m[1] != "multi":  # an output of split/unbind whose base joined: its node refuses
            raise RuntimeError(_refusal(m))
    elif base.grad_fn is None:
        raise RuntimeError(_LEAF)


def _target(a: Any) -> Any:
    """The array to write ``a``'s elements through (a read-only view of an expanded tensor is
    written through the memory it views; ``check_writable`` refused overlapping ones)."""
    w = view_bases.writable(a)
    if w is None:
        raise ValueError("assignment destination is read-only")
    return w


def _copy_slices(base: Any, result: Any, t: Any, index: Any) -> Any:
    """The ``CopySlices`` node writing ``result`` into ``t``'s elements of ``base`` (at ``index``)."""
    old = base._make(base._data, base._requires_grad)
    old.grad_fn = base.grad_fn
    return CopySlices.apply(old, result, _target(t._data), index).grad_fn


def _through_outside_view(t: Any, outside: Any, result: Any) -> Any:
    """The in-place change of ``t``, a view made outside the graph of ``outside`` (its base, or
    ``(base, kind)``): the base gets a ``CopySlices`` node and ``t`` an ``AsStridedBackward0`` one
    on it, as in PyTorch (``autograd/view_bases.py``)."""
    if outside.__class__ is tuple:
        raise RuntimeError(_refusal(outside))
    base = outside
    if base._requires_grad and base.grad_fn is None:
        raise RuntimeError(_LEAF)
    index = view_bases.positions(base._data, t._data)
    if index is None:
        raise RuntimeError(
            f"mlplab does not support this in-place change: the view's base (shape "
            f"{list(base._data.shape)}) no longer holds the view's memory (its array was replaced), "
            "so the change cannot be recorded on it; change a clone instead"
        )
    node = _copy_slices(base, result, t, index)
    bump_version(t)
    views.changed[0] = True
    node.replaces = base.grad_fn
    base.grad_fn = node
    base._requires_grad = True
    t.grad_fn = AsStrided.node(base, index, t._version_counter[0], next(sequence))
    t._requires_grad = True
    _other_views(base, t, only_t=True)  # t, a view made since the base's last search, may be all
    return t


def _other_views(base: Any, t: Any, only_t: bool = False) -> None:
    """Give the other live views of ``base`` made outside the graph (which see the new values) a
    node on ``base``'s new one, as PyTorch regenerates theirs: ``AsStridedBackward0``, or, for one
    PyTorch refuses to use now (made under no_grad, an output of split/unbind), a node PyTorch's
    repr shows as ``Invalid`` and a ``_requires_grad`` that raises PyTorch's error when an op
    uses the view with grad mode on (``view_bases.RefusedUse``). The search (``gc``) runs once
    for the views made since the last one: the base's count of them starts again."""
    seen = view_bases.had_views(base)
    if seen is None:
        return
    base._view_base = None  # every view of it made outside the graph so far is handled here
    if seen is view_bases.ONE and only_t:  # t was the only one
        return
    vc = base._version_counter
    for s, m in view_bases.other_views(base, vc, t):
        if m.__class__ is tuple:  # its use with grad mode on raises (view_bases.RefusedUse)
            s.grad_fn = RefusedView.node(base, _SIBLING[m[1]], next(sequence))
            s._requires_grad = view_bases.RefusedUse(_SIBLING[m[1]])
            continue
        else:
            index = view_bases.positions(base._data, s._data)
            if index is None:  # no longer in the base's memory: it does not see the change
                continue
            s.grad_fn = AsStrided.node(base, index, vc[0], next(sequence))
        s._requires_grad = True
