"""Shapes and dimensions of ``Tensor``: ``Size``, dimension normalisation, and the reshaping
methods (reshape/view, flatten, permute, transpose, unsqueeze, squeeze, expand), all views in
:mod:`mlplab.ops.shape`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import shape as S

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor

_SWAP = (1, 0)


class Size(tuple):
    """Tensor shape: a tuple that prints as ``mlplab.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"mlplab.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


def _norm_dim(dim: Any, ndim: int) -> tuple | None:
    """Normalise ``dim`` (None, int, or sequence) to a tuple of non-negative axes."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if not dims:
        return None  # dim=() reduces over every dimension, as in PyTorch
    out = []
    for d in dims:
        d = int(d)
        n = max(ndim, 1)
        if not -n <= d < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
            )
        out.append(d % n if ndim else 0)
    return tuple(out) if ndim else None


def _one_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _axis(dim: Any, axis: Any) -> Any:
    """NumPy's ``axis=`` standing for ``dim=`` (torch accepts either spelling, not both at once)."""
    if dim is not None and dim != ():
        raise TypeError("got both dim= and its alias axis=; pass one")
    return axis


def _numpy_names(dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple:
    """``(dim, keepdim)`` with NumPy's spellings ``axis``/``keepdims`` folded in (torch takes both)."""
    if axis is not None:
        dim = _axis(dim, axis)
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def _axis_for(dim: Any, axis: Any, default: Any) -> Any:
    """``dim``, or NumPy's alias ``axis`` when given, for a ``dim`` whose torch default is ``default``
    (sort's -1): passing both, with ``dim`` not at its default, is refused as torch does."""
    if axis is None:
        return dim
    if dim != default:
        raise TypeError("got both dim= and its alias axis=; pass one")
    return axis


def _dim_and_index(fn: str, dim: Any, index: Any, axis: Any) -> Any:
    """``dim`` of ``gather``/``index_select``, or NumPy's alias ``axis`` (torch's parser takes it in
    place of the required ``dim``); both, or a missing one, refused with torch's messages."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{fn}() got an unexpected keyword argument 'axis'")
        dim = axis
    if dim is None:
        raise TypeError(f'{fn}() missing 2 required positional argument: "dim", "index"')
    if index is None:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "index"')
    return dim


def _shape_args(args: tuple) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(int(a) for a in args[0])
    return tuple(int(a) for a in args)


class ShapeMixin:
    """Reshaping and dimension reordering (mixed into ``Tensor``)."""

    __slots__ = ()

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        n = self._data.ndim
        if n == 2:
            return S.Permute.apply(self, _SWAP)
        return S.Permute.apply(self, tuple(range(n - 1, -1, -1)))

    def reshape(self, *shape: Any) -> Tensor:
        """Same elements in a new shape (one dimension may be -1)."""
        shp = _shape_args(shape)
        try:
            return S.Reshape.apply(self, shp)
        except ValueError:
            raise RuntimeError(
                f"shape '{list(shp)}' is invalid for input of size {self._data.size}"
            ) from None

    def view(self, *size: Any) -> Tensor:
        """Same elements in a new shape (one dimension may be -1); mlplab's views are reshapes."""
        return self.reshape(*size)

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one (the tensor itself when they are one)."""
        shp = self._data.shape
        if not shp:
            return self.reshape(1)
        s = _one_dim(start_dim, len(shp))
        e = _one_dim(end_dim, len(shp))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if s == e:
            return self  # nothing to merge: PyTorch returns the tensor itself, not a view
        new = shp[:s] + (int(np.prod(shp[s : e + 1], dtype=np.int64)),) + shp[e + 1 :]
        return S.Reshape.apply(self, new)

    def permute(self, *dims: Any) -> Tensor:
        d = _shape_args(dims)
        n = self._data.ndim
        if len(d) != n:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
                f"to len(dims) = {len(d)}"
            )
        return S.Permute.apply(self, tuple(_one_dim(x, n) for x in d))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        n = self._data.ndim
        axes = list(range(n))
        a, b = _one_dim(dim0, n), _one_dim(dim1, n)
        axes[a], axes[b] = axes[b], axes[a]
        return S.Transpose.apply(self, tuple(axes))

    def t(self) -> Tensor:
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
        return S.T.apply(self, _SWAP if n == 2 else tuple(range(n)))

    def unsqueeze(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """A new axis of size 1 at ``dim`` (``axis``: NumPy's spelling, which torch accepts too)."""
        dim = _axis_for(dim, axis, None)
        if dim is None:
            raise TypeError("unsqueeze() missing 1 required positional argument: 'dim'")
        n = self._data.ndim + 1
        d = _one_dim(dim, n)
        shp = self._data.shape
        return S.Unsqueeze.apply(self, shp[:d] + (1,) + shp[d:])

    def squeeze(self, dim: Any = None, *, axis: Any = None) -> Tensor:
        """Drop size-1 axes (all, or those of ``dim``; ``axis``: NumPy's spelling of ``dim``)."""
        dim = _axis_for(dim, axis, None)
        shp = self._data.shape
        if dim is None:
            return S.Squeeze.apply(self, tuple(s for s in shp if s != 1))
        dims = _norm_dim(dim, len(shp)) or ()
        op = S.SqueezeDims if isinstance(dim, (tuple, list)) else S.SqueezeDim
        return op.apply(self, tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1)))

    def expand(self, *size: Any) -> Tensor:
        """Broadcast to a larger shape without copying (-1 keeps a size)."""
        shp = _shape_args(size)
        cur = (1,) * (len(shp) - self._data.ndim) + self._data.shape
        target = tuple(c if s == -1 else s for s, c in zip(shp, cur))
        try:
            return S.Expand.apply(self, target)
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({list(shp)}) must match the existing size "
                f"({list(self._data.shape)}) at each non-singleton dimension"
            ) from None

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)
