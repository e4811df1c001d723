"""The method families added for PyTorch compatibility, gathered into one mixin of ``Tensor``:
binary elementwise functions and their in-place forms, BLAS-style products, more reductions and
scans, more dimension handling and introspection."""

from __future__ import annotations

from .blas import BlasMixin
from .index_more import IndexMoreMixin
from .reduce_more import ReduceMoreMixin
from .shape_more import ShapeMoreMixin


class CompatMixin(BlasMixin, ReduceMoreMixin, ShapeMoreMixin, IndexMoreMixin):
    """:class:`BlasMixin` (with the binary ones it builds on), :class:`ReduceMoreMixin`,
    :class:`ShapeMoreMixin`, :class:`IndexMoreMixin` (mixed into ``Tensor``)."""

    __slots__ = ()
