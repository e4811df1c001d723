"""``TensorBase``: the part of a tensor that autograd reads and writes, and its one constructor.

A tensor, to the engine and to :class:`~mlplab.autograd.op.Op`, is four slots: its
array (``_data``), whether a gradient flows into it (``_requires_grad``), its accumulated gradient
(``grad``) and the node that produced it (``grad_fn``, None for a leaf). The full ``Tensor``
(:mod:`mlplab.tensor`) subclasses it, adds the methods, and names itself as ``_output_type``: the
class every new tensor gets (a ``Parameter``'s results are plain Tensors too).

Autograd never names ``Tensor``: it recognises tensors with ``isinstance(x, TensorBase)`` and builds
new ones of ``x._output_type`` for a tensor ``x`` it was given, so the layers import strictly
downwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class TensorBase:
    """Storage and autograd slots of a tensor; ``Tensor`` subclasses it (see module docstring)."""

    __slots__ = ("_data", "_requires_grad", "grad", "grad_fn", "__weakref__")

    _data: np.ndarray
    _requires_grad: bool
    grad: Any
    grad_fn: Any

    #: the class of every tensor that ``_make`` and the ops create (``Tensor`` names itself);
    #: ``Op.apply``'s fast path builds its output from it directly
    _output_type: type

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Any:
        """The one constructor: wrap ``array`` (not copied) in a new tensor of ``_output_type``;
        no checks, no conversion. Implemented by ``Tensor`` (it needs the concrete class)."""
        raise NotImplementedError
