"""Views in the graph after an in-place change of their memory (PyTorch's view replay).

A view ``y = x[0]`` records a node (an ``Op`` with ``is_view``) whose one parent is ``x``, and
shares ``x``'s array and version counter. When the memory changes in place while a graph is being
recorded (``x.mul_(2)``, or ``x[0].mul_(2)`` through the view), the values of every view change
with it, and PyTorch regenerates each view's ``grad_fn`` from the base's new node. mlplab does the
same without tracking the views: a view node remembers the version of its input when it was
recorded (``saved_versions``), and so does every consumer. A consumer whose recorded version of a
view differs from the version the view's node saw used values written after the view was made; its
gradient must reach the base's node as it was when the consumer was recorded. The engine then
runs a *copy* of the view node for that consumer (:func:`current_view_node`): same backward, a
creation number just below the consumer's, so that the engine's "node current at that time"
rule (``Op.replaces``) sends its gradient to the right node of the base.

Nothing here runs unless an in-place change of shared memory was recorded (``changed[0]``), so
graphs without one pay nothing.
"""

from __future__ import annotations

import gc
import math
import weakref
from typing import Any

from .view_bases import NoGradView, no_edge

#: set once an in-place change of memory shared by views has been recorded (the engine's gate)
changed = [False]

_new = object.__new__

#: id -> weak reference of each view made under no_grad of a tensor that requires grad
no_grad_views: dict[int, Any] = {}

_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
)


#: PyTorch's error when such a view is used after its memory changed in place
_CHANGED_NO_GRAD = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. " + _NO_GRAD_VIEW.split("enabled. ", 1)[1]
)


def mark_no_grad_view(t: Any) -> None:
    """Remember that view ``t`` was made under no_grad of a tensor that requires grad: PyTorch
    refuses to change it in place with grad mode on (:func:`check_no_grad_view`); it requires grad
    with no edge, and its use with grad mode on after its memory changed raises
    (``view_bases.NoGradView``)."""
    k = id(t)
    no_grad_views[k] = weakref.ref(t, lambda _, k=k: no_grad_views.pop(k, None))
    no_edge(t, NoGradView(t._version_counter, _CHANGED_NO_GRAD))


def check_no_grad_view(t: Any) -> None:
    """Raise PyTorch's error if ``t`` is such a view (called by in-place ops in grad mode)."""
    r = no_grad_views.get(id(t))
    if r is not None and r() is t:
        raise RuntimeError(_NO_GRAD_VIEW)


def _version_seen(node: Any, i: int) -> int:
    """The version of ``node``'s tensor argument ``i`` when ``node`` was recorded."""
    saved = getattr(node, "saved_versions", None)
    return 0 if saved is None else saved[i]


def shares_memory(t: Any, node: Any) -> bool:
    """True when ``t`` (made by the view node ``node``) shares its input's array (a true view)."""
    parents = node.parents
    vc = t._version_counter
    return bool(parents) and vc is not None and parents[0]._version_counter is vc


def _later(seq: float) -> float:
    """A creation number just below ``seq`` and above every node created before it: nodes have
    integer numbers, so halfway between ``seq`` and the integer below it."""
    low = math.ceil(seq) - 1
    return (seq + low) / 2


def copy_node(node: Any, seq: float, version: int) -> Any:
    """A copy of view node ``node`` recorded at creation number ``seq``, having seen ``version``."""
    fresh = _new(type(node))
    fresh.__dict__.update(node.__dict__)
    fresh.__dict__.pop("view_copies", None)
    fresh.sequence_number = seq
    fresh.saved_versions = (version,)
    fresh.replaces = node  # consumers recorded before the copy still reach the original
    fresh.copy_of = node
    fresh.retained_output = None
    fresh.grad_hooks = None
    return fresh


def current_view_node(consumer: Any, parents: tuple, tensor: Any, producer: Any) -> Any:
    """The node that must receive ``consumer``'s gradient for its input ``tensor`` (one of
    ``parents``, the consumer's inputs), a view made by ``producer``: ``producer`` itself unless
    the memory changed in place between the two (see the module docstring); then a copy of it as
    of ``consumer``'s creation."""
    if not getattr(producer, "is_view", False) or not shares_memory(tensor, producer):
        return producer
    i = next(k for k, p in enumerate(parents) if p is tensor)
    seen = _version_seen(consumer, i)
    if seen == _version_seen(producer, 0):
        return producer
    copies = consumer.__dict__.setdefault("view_copies", {})  # one copy per edge, for every pass
    fresh = copies.get(i)
    if fresh is None:
        fresh = copies[i] = copy_node(producer, _later(consumer.sequence_number), seen)
    return fresh


def refresh(t: Any, sequence: Any) -> None:
    """Give view ``t`` (and the views it was made from) a node as of now when its memory changed
    since its node was recorded: what PyTorch does when ``t.grad_fn`` is read."""
    node = t.grad_fn
    if node is None or not getattr(node, "is_view", False) or not shares_memory(t, node):
        return
    refresh(node.parents[0], sequence)
    now = t._version_counter[0]
    if _version_seen(node, 0) != now:
        fresh = t.grad_fn = copy_node(node, next(sequence), now)
        fresh.backward_name = "AsStridedBackward0"  # the name of PyTorch's regenerated node


def view_chain(t: Any) -> list:
    """``[(t, node), (parent, node), ...]`` from view ``t`` down to its base (the first tensor not
    made as a view of another by a recorded node); the base is ``chain[-1][0]`` with its node."""
    chain = []
    while True:
        node = t.grad_fn
        chain.append((t, node))
        if node is None or not getattr(node, "is_view", False) or not shares_memory(t, node):
            return chain
        t = node.parents[0]


def stale_view(t: Any) -> tuple | None:
    """``(id of t's node, t's version)`` when ``t`` is a view whose memory changed since its node
    was recorded (the copies of that node made for consumers that saw this version stand for
    ``t``'s current node: ``autograd.grad`` with respect to ``t``); None otherwise."""
    node = t.grad_fn
    if node is None or not getattr(node, "is_view", False) or not shares_memory(t, node):
        return None
    now = t._version_counter[0]
    return None if _version_seen(node, 0) == now else (id(node), now)


def regenerate(t: Any, base: Any, sequence: Any) -> None:
    """After an in-place change of ``t`` (``base`` or a view of it) with grad mode on, give every
    other live view in the graph of the same memory its node as of now (``AsStridedBackward0``):
    PyTorch regenerates a view's ``grad_fn`` when it is read after its memory changed, and
    ``grad_fn`` here is a plain slot, so it is made now (:func:`refresh`).

    Finding the views: ``_apply_view`` counts the views recorded in the graph since the last
    search in the shared counter ``vc`` (``vc[1]``: 2 for one, 3 for more); the search walks the
    garbage collector's referrers of ``vc`` (slow: every object) only when a view other than ``t``'s
    own chain may exist, and keeps weak references to what it found in ``vc[2]``."""
    vc = t._version_counter
    mark = vc[1]
    if mark is not True and mark is not False:  # views in the graph were made since the last search
        vc[1] = True
        known = vc[2] if len(vc) > 2 else []
        if (
            mark == 2 and base is not t and t.grad_fn.parents[0] is base and not any(r() is t for r in known)
        ):  # the one view made since is t itself, of the base: no search
            found = [r for r in known if r() is not None]
            found.append(weakref.ref(t))
        else:
            found = [
                weakref.ref(s)
                for s in gc.get_referrers(vc)
                if getattr(s, "_version_counter", None) is vc and s is not base and _is_graph_view(s)
            ]
        if len(vc) == 2:
            vc.append(found)
        else:
            vc[2] = found
    elif len(vc) == 2:
        return
    for r in vc[2]:
        s = r()
        if s is not None and s is not t:
            refresh(s, sequence)


def _is_graph_view(s: Any) -> bool:
    node = getattr(s, "grad_fn", None)
    return node is not None and getattr(node, "is_view", False) and shares_memory(s, node)
