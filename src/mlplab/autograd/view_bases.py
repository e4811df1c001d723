"""Views made outside the graph and their base (PyTorch's ``Tensor._base``).

A view of a tensor that does not require grad (``b = torch.zeros(3); v = b[:2]``), or one made
under ``no_grad``, records no node, so the graph cannot tell which tensor it views. PyTorch still
knows: ``v.copy_(w)`` with ``w`` requiring grad gives the *base* ``b`` a ``CopySlices`` node,
``b.requires_grad`` becomes True, and ``v`` (and every other view of ``b``) gets an
``AsStridedBackward0`` node on it. mlplab records the same facts where they are free:

* ``Op``'s ``_apply_view`` stores, on a view made without a node, its base in the tensor's
  ``_view_base`` slot (the root tensor, never another view; a strong reference, as PyTorch's
  ``_base``), or
  ``(base, kind)`` when PyTorch refuses to change it in place while recording: ``"no_grad"`` (made
  under no_grad; ``"no_grad_of_view"`` for a view of a view, whose message names the op) or
  ``"multi"`` (an output of ``split``/``unbind``/``chunk``). A view of such a view inherits its
  kind, as PyTorch's ``creation_meta`` does.
* the base's own slot counts its views made this way: :data:`ONE`, then :data:`MANY`.

The slot is left unset on every other tensor, so making a tensor costs nothing more; making such a
view costs two slot writes. Where the elements of a view sit in its base is read from the arrays'
memory addresses and strides when a change needs it (:func:`positions`), never stored.

The other views of a base that joins the graph this way are found through the garbage collector
(``gc.get_referrers`` of the version counter they share, :func:`other_views`): slow (it visits
every object), so it runs only when views other than the one changed were made since the base's
last search (``_tensor/inplace_view.py`` resets the count).
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np

from . import hooks as _hooks
from .grad_mode import state as _grad_state

#: markers in a base's ``_view_base``: one view / several views were made of it outside the graph
ONE = ("one view",)
MANY = ("many views",)

_as_strided = np.lib.stride_tricks.as_strided


class RefusedUse:
    """The ``_requires_grad`` of a view PyTorch refuses to use with grad mode on: one made under
    no_grad (or by ``split``/``unbind``) whose base, or another view of it, was then changed in
    place with grad mode on (PyTorch's ``CreationMeta`` check when the view's ``grad_fn`` is read).

    Every op decides whether to record by testing its inputs' ``_requires_grad`` for truth, so the
    test itself raises PyTorch's error: with grad mode on :meth:`__bool__` raises ``message``; with
    it off the view requires grad (True) and is used as in PyTorch. Ordinary tensors hold a plain
    bool there, so no op pays for the check."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __bool__(self) -> bool:
        if _grad_state.enabled:
            raise RuntimeError(self.message)
        return True

    def refuse(self) -> bool:
        """Raise the error whatever the grad mode (``is_leaf``: PyTorch reads ``grad_fn``)."""
        raise RuntimeError(self.message)

    def __eq__(self, other: object) -> bool:  # ``True in needs`` (a general op's test) compares
        return bool(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "True"


class _NoEdge:
    """The ``_requires_grad`` of a view made outside the graph of a base later given
    ``requires_grad_()``: PyTorch's view then requires grad (it reads its base's flag) and stays a
    leaf without a gradient accumulator, so ops on it record nodes while no gradient reaches it
    (``.grad`` stays None; ``autograd.grad`` finds it unused). True for every test; the engine
    accumulates nothing into a leaf holding it (:func:`no_edge` gives it a hook, so the engine
    meets it only on its hooked-leaf path)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return other is True or other is self

    __hash__ = object.__hash__

    @staticmethod
    def refuse() -> bool:  # ``is_leaf``: a leaf
        return True

    def __repr__(self) -> str:
        return "True"


#: see :class:`_NoEdge`
NO_EDGE = _NoEdge()


class NoGradView(_NoEdge):
    """The ``_requires_grad`` of a view made under no_grad of a tensor that requires grad: as in
    PyTorch it requires grad with no edge to its base (:class:`_NoEdge`), until its memory changes
    in place (``vc``, its version counter, passes ``version``); then its use with grad mode on
    raises ``message`` (PyTorch's check when such a view's ``grad_fn`` is read)."""

    __slots__ = ("vc", "version", "message")

    def __init__(self, vc: list, message: str) -> None:
        self.vc, self.version, self.message = vc, vc[0], message

    def __bool__(self) -> bool:
        if _grad_state.enabled and self.vc[0] != self.version:
            raise RuntimeError(self.message)
        return True

    def __eq__(self, other: object) -> bool:
        return bool(self) == other

    __hash__ = object.__hash__

    def refuse(self) -> bool:  # ``is_leaf``: a leaf, or the error once its memory changed
        if self.vc[0] != self.version:
            raise RuntimeError(self.message)
        return True


#: the ``_requires_grad`` values of leaves that take no gradient (the engine's test)
NO_EDGE_TYPES = (_NoEdge, NoGradView)


def _no_edge_hook(g: Any) -> None:
    """A leaf hook that changes nothing: it routes a no-edge view's gradient through the engine's
    hooked-leaf path, which drops it (:func:`no_edge`), so ordinary leaves pay no test."""


def no_edge(t: Any, flag: Any) -> None:
    """Make view ``t`` require grad with no edge (``flag``: :data:`NO_EDGE` or a NoGradView)."""
    t._requires_grad = flag
    _hooks.register(t, _no_edge_hook)


def set_requires_grad(t: Any, flag: bool) -> None:
    """``t.requires_grad_(flag)`` of a leaf; its views made outside the graph before it was given
    ``requires_grad`` now require grad too, with no edge to it (:data:`NO_EDGE`), as in PyTorch."""
    t._requires_grad = flag
    if flag and had_views(t) is not None:
        for s, _ in other_views(t, t._version_counter, None):
            no_edge(s, NO_EDGE)


def note_view_of_view(m: Any, t: Any, recording: bool, op: type, first: Any, rest: tuple) -> None:
    """Record on ``t``, a view made without a node of a view whose ``_view_base`` is ``m`` (its
    base, or ``(base, kind)``), the same base; the kind is inherited, or, when ``recording`` (grad
    mode) is off, "no_grad_of_view" with how to name the op (``op`` applied to ``first``, ``rest``:
    PyTorch's message names it). (``_apply_view`` records the views of a base itself.)"""
    if m.__class__ is tuple:
        root = m[0]
        kind = m[1]
        t._view_base = m if kind == "multi" else (root, "no_grad_of_view", (op, first._data, rest))
    else:
        root = m
        t._view_base = m if recording else (m, "no_grad_of_view", (op, first._data, rest))
    root._view_base = MANY


def op_name(how: tuple) -> str:
    """PyTorch's name of the view op that made a "no_grad_of_view" view (``Slice``, ``Select``,
    ``Squeeze1``): its node's name without ``Backward0`` (``Backward`` before another digit)."""
    op, x, rest = how
    fn = op.__new__(op)
    fn.forward(x, *rest)
    return short_name(fn.name())


def short_name(name: str) -> str:
    """A node's name as PyTorch's view messages print it: "SelectBackward0" -> "Select",
    "SqueezeBackward1" -> "Squeeze1"."""
    return name[: -len("Backward0")] if name.endswith("Backward0") else name.replace("Backward", "")


def base_of(t: Any) -> Any:
    """``t``'s base as recorded by :func:`note_view`: a tensor, ``(base, kind)``, or None when
    ``t`` is not a view made outside the graph."""
    try:
        m = t._view_base
    except AttributeError:
        return None
    if m is None or m is ONE or m is MANY:
        return None
    return m


def had_views(base: Any) -> Any:
    """:data:`ONE`, :data:`MANY`, or None: how many views of ``base`` were made outside the graph."""
    try:
        m = base._view_base
    except AttributeError:
        return None
    return m if m is ONE or m is MANY else None


def mark_multi(outs: tuple) -> None:
    """Outputs of ``split``/``unbind`` made without a node in grad mode: PyTorch refuses to change
    them in place with a tensor that requires grad (``creation_meta`` MULTI_OUTPUT_NODE)."""
    for o in outs:
        m = base_of(o)
        if m is not None and m.__class__ is not tuple:  # one made under no_grad keeps that kind
            o._view_base = (m, "multi")


def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray | None:
    """The flat (C-order) positions in ``base`` of the elements of ``view``, an integer array of
    the view's shape (repeated where the view repeats an element, as an expanded one does), read
    from memory addresses and strides; None when ``view`` is not laid out inside ``base``."""
    size = base.itemsize
    if view.dtype != base.dtype or any(s % size for s in base.strides + view.strides):
        return None
    lo, hi = np.lib.array_utils.byte_bounds(base)
    if view.size:
        vlo, vhi = np.lib.array_utils.byte_bounds(view)
        if vlo < lo or vhi > hi:
            return None
    cells = np.full(max((hi - lo) // size, 1), -1, np.intp)
    step = cells.itemsize
    start = (base.__array_interface__["data"][0] - lo) // size
    laid = _as_strided(cells[start:], base.shape, [s // size * step for s in base.strides])
    laid[...] = np.arange(base.size).reshape(base.shape)
    start = (view.__array_interface__["data"][0] - lo) // size
    out = _as_strided(cells[start:], view.shape, [s // size * step for s in view.strides]).copy()
    return None if (out < 0).any() else out


def other_views(base: Any, vc: list, but: Any) -> list:
    """The live views of ``base`` made outside the graph (sharing its counter ``vc``) that do not
    require grad, except ``but``: found through the garbage collector (module docstring)."""
    found = []
    for s in gc.get_referrers(vc):
        if s is but or s is base or getattr(s, "_version_counter", None) is not vc:
            continue
        r = s._requires_grad  # never tested for truth: it may be a RefusedUse
        if r is True or r.__class__ is RefusedUse or r is NO_EDGE:  # joined, refused, or a leaf
            continue
        m = base_of(s)
        if m is not None and (m[0] if m.__class__ is tuple else m) is base:
            found.append((s, m))
    return found


class _Alias:
    """An ``__array_interface__`` holder: NumPy makes a writable array of it (see :func:`writable`)."""

    def __init__(self, a: np.ndarray, owner: np.ndarray) -> None:
        self.__array_interface__ = {
            "shape": a.shape,
            "strides": a.strides,
            "typestr": a.dtype.str,
            "data": (a.__array_interface__["data"][0], False),
            "version": 3,
        }
        self.owner = owner  # keeps the memory alive


def writable(a: np.ndarray) -> np.ndarray | None:
    """``a`` itself when NumPy lets us write it, else a writable array over the same memory when
    the array that owns it is writable (an expanded view: ``np.broadcast_to`` marks its result
    read-only); None when nothing that holds the memory may be written."""
    if a.flags.writeable:
        return a
    owner = a.base
    while isinstance(owner, np.ndarray) and not owner.flags.writeable:
        owner = owner.base
    if not isinstance(owner, np.ndarray):
        return None
    return np.asarray(_Alias(a, owner))


def overlaps(a: np.ndarray) -> bool:
    """True when elements of ``a`` share one memory location (a stride of 0 along an axis of more
    than one element: an expanded tensor), where PyTorch refuses most in-place writes."""
    return any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))
