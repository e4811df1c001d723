"""``TensorBase``: the part of a tensor that autograd reads and writes, its one constructor, and its
version counter.

A tensor, to the engine and to :class:`~mlplab.autograd.op.Op`, is five slots: its
array (``_data``), whether a gradient flows into it (``_requires_grad``), its accumulated gradient
(``grad``), the node that produced it (``grad_fn``, None for a leaf) and its version counter
(``_version_counter``, below). The full ``Tensor`` (:mod:`mlplab.tensor`) subclasses it, adds the
methods, and names itself as ``_output_type``: the class every new tensor gets (a ``Parameter``'s
results are plain Tensors too).

Autograd never names ``Tensor``: it recognises tensors with ``isinstance(x, TensorBase)`` and builds
new ones of ``x._output_type`` for a tensor ``x`` it was given, so the layers import strictly
downwards.

**Versions** (PyTorch's ``Tensor._version``). Every in-place change of a tensor's array adds one to
its version; tensors that share memory as views share one counter, so a change through any of them
counts for all. Backward uses it to refuse a gradient computed from an array that changed after
the op saved it (:func:`mlplab.autograd.engine.backward`). The counter is a list ``[version,
shared]``, created at the first need (``None`` until then, version 0): most tensors are never changed in
place, and they pay nothing. ``last_inplace[0]`` is the creation number (``sequence``) taken by
the latest change: a node recorded after it cannot have seen one, so backward checks only older
nodes.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

#: creation order shared by graph nodes (``Op.sequence_number``) and in-place changes
sequence = itertools.count()
#: the sequence number of the latest in-place change (see the module docstring)
last_inplace = [-1]


class TensorBase:
    """Storage and autograd slots of a tensor; ``Tensor`` subclasses it (see module docstring)."""

    # ``_view_base``: set only on views made outside the graph and on their bases (never read
    # unless set; see ``autograd/view_bases.py``)
    __slots__ = (
        "_data",
        "_requires_grad",
        "grad",
        "grad_fn",
        "_version_counter",
        "_view_base",
        "__weakref__",
    )

    _data: np.ndarray
    _requires_grad: bool
    grad: Any
    grad_fn: Any
    _version_counter: list[int] | None

    #: the class of every tensor that ``_make`` and the ops create (``Tensor`` names itself);
    #: ``Op.apply``'s fast path builds its output from it directly
    _output_type: type

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Any:
        """The one constructor: wrap ``array`` (not copied) in a new tensor of ``_output_type``;
        no checks, no conversion. Implemented by ``Tensor`` (it needs the concrete class)."""
        raise NotImplementedError

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (PyTorch's ``_version``)."""
        vc = self._version_counter
        return 0 if vc is None else vc[0]


def version_counter(t: TensorBase, shared: bool = False) -> list[int]:
    """``t``'s version counter ``[version, shared]``, created at the first need (``shared``: see
    :func:`share_version`).

    When ``t`` is the output of an op whose backward reads that output (``Op.saves``), the op is
    handed the new counter (``saved_output``): the node holds no reference to its output tensor,
    so this is how it learns that the output changed.
    """
    vc = t._version_counter
    if vc is None:
        vc = t._version_counter = [0, shared]
        fn = t.grad_fn
        if fn is not None and getattr(fn, "saves_output", False) and fn.saved_output is None:
            fn.saved_output = (vc, t._data.dtype, t._data.shape)
    return vc


def bump_version(t: TensorBase, n: int = 1) -> None:
    """Count ``n`` in-place changes of ``t``'s array (and of every view sharing it)."""
    vc = t._version_counter
    if vc is None:
        vc = version_counter(t)
    vc[0] += n
    last_inplace[0] = next(sequence)


def bump_versions(tensors: Any, n: int = 1) -> None:
    """:func:`bump_version` of each of ``tensors`` (an optimiser's parameters after its step)."""
    for t in tensors:
        vc = t._version_counter
        if vc is None:
            vc = version_counter(t)
        vc[0] += n
    last_inplace[0] = next(sequence)


def share_version(base: TensorBase, view: TensorBase) -> None:
    """Make ``view`` (whose array is a view of ``base``'s) count versions with ``base``.

    A counter shared this way is marked so (``[version, True]``): a recorded in-place change of
    such a tensor must then write into its array, which other tensors see, instead of rebinding
    the tensor to a new one (``_tensor/inplace.py``)."""
    vc = base._version_counter
    if vc is None:
        vc = version_counter(base, True)
    elif not vc[1]:
        vc[1] = True  # (2 or 3: it counts views in the graph, autograd/views.py's regenerate)
    view._version_counter = vc
