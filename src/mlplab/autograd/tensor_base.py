"""``TensorBase``: the part of a tensor that autograd reads and writes.

A tensor, to the engine and to :class:`~mlplab.autograd.function.Function`, is four slots: its
array (``_data``), whether a gradient flows into it (``_requires_grad``), its accumulated gradient
(``grad``) and the node that produced it (``grad_fn``, None for a leaf). The full ``Tensor``
(:mod:`mlplab.tensor`) adds the methods on top and supplies the one constructor, ``_make``.

Autograd never names ``Tensor``: it recognises tensors with ``isinstance(x, TensorBase)`` and builds
new ones with ``x._make(...)`` on a tensor it was given, so the layers import strictly downwards.
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

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Any:
        """Wrap ``array`` (not copied) in a new tensor; implemented by ``Tensor``."""
        raise NotImplementedError
