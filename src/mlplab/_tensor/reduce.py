"""Reductions of ``Tensor``: sum, mean, var, std, max/min (with indices), amax/amin, logsumexp,
norm, argmax/argmin, all/any. ``dim`` may be None (all elements), an int or a sequence of ints."""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor_base import TensorBase
from ..ops import linalg as LA
from ..ops import reduction as R
from .matrix_norm import matrix_norm
from .shape import _axis, _norm_dim, _numpy_names, _one_dim

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


class _ValuesIndices(namedtuple("_ValuesIndices", ["values", "indices"])):
    """``(values, indices)`` of ``max(dim)``/``min(dim)``, printed as PyTorch prints it."""

    __slots__ = ()
    op = "max"

    def __repr__(self) -> str:
        return f"mlplab.return_types.{self.op}(\nvalues={self.values!r},\nindices={self.indices!r})"


class MaxResult(_ValuesIndices):
    __slots__ = ()


class MinResult(_ValuesIndices):
    __slots__ = ()
    op = "min"


def _argext(a: np.ndarray, dim: int, keepdim: bool, is_min: bool) -> np.ndarray:
    f = np.argmin if is_min else np.argmax
    return np.asarray(f(a, axis=dim, keepdims=keepdim), dtype=np.int64)


class ReduceMixin:
    """Reductions over dimensions (mixed into ``Tensor``)."""

    __slots__ = ()

    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Sum of elements over ``dim`` (all when None): y = sum_i x_i.

        ``axis``/``keepdims`` are NumPy's spellings of ``dim``/``keepdim`` (torch accepts them too).
        """
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind == "b":
            x = x.long()
        return R.Sum.apply(x, _norm_dim(dim, x._data.ndim), keepdim)

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """Product of elements over one ``dim`` (all when None): y = prod_i x_i; bool and integer
        inputs give int64, as PyTorch. dy/dx_i = prod_{j != i} x_j, exact where x has zeros."""
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind in "biu" and dtype is None:
            x = x.long()
        axis = None if dim is None else _one_dim(dim, x._data.ndim)
        if axis is not None and x._data.ndim == 0:
            return LA.Prod.apply(x, None, False)
        return LA.Prod.apply(x, axis, keepdim)

    def mean(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Arithmetic mean over ``dim``, y = (1/N) sum_i x_i (floating tensors only, as PyTorch)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {x.dtype.name}"
            )
        return R.Mean.apply(x, _norm_dim(dim, x._data.ndim), keepdim)

    def _correction(self, unbiased: Any, correction: Any) -> Any:
        if correction is not None:
            return correction
        return 1 if unbiased is None or unbiased else 0

    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Variance over ``dim`` (all elements when None): sum (x - mean)^2 / (N - correction).

        Unbiased (N - 1, Bessel's correction) unless ``unbiased=False`` or ``correction=0``;
        ``x.var(False)`` is the biased variance of all elements, as in PyTorch.
        """
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        c = self._correction(unbiased, correction)
        return R.Var.apply(self._f(), _norm_dim(dim, self._data.ndim), c, keepdim)

    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Standard deviation: sqrt of :meth:`var` (same arguments)."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        c = self._correction(unbiased, correction)
        return R.Std.apply(self._f(), _norm_dim(dim, self._data.ndim), c, keepdim)

    def _maxmin(self, dim: Any, keepdim: bool, is_min: bool) -> Any:
        if isinstance(dim, TensorBase):
            return self.minimum(dim) if is_min else self.maximum(dim)
        if self._data.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0.")
        if dim is None:
            return (R.MinAll if is_min else R.MaxAll).apply(self, None, False)
        d = _one_dim(dim, self._data.ndim)
        x = self if self._data.ndim else self.reshape(1)
        keep = keepdim and self._data.ndim > 0
        a = x._data
        idx = (a.argmin if is_min else a.argmax)(axis=d, keepdims=True)
        vals = (R.MinDim if is_min else R.MaxDim).apply(x, d, keep, idx)
        if not keep:
            idx = idx.squeeze(d)
        if idx.dtype != np.int64:
            idx = idx.astype(np.int64)
        return (MinResult if is_min else MaxResult)(vals, self._make(idx))

    def max(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Any:
        """Largest element, or ``(values, indices)`` along ``dim``, or ``maximum`` with a tensor."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return self._maxmin(dim, keepdim, False)

    def min(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Any:
        """Smallest element, or ``(values, indices)`` along ``dim``, or ``minimum`` with a tensor."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return self._maxmin(dim, keepdim, True)

    def amax(
        self, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """Largest values over ``dim`` (every element when ``()``)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return R.AMax.apply(self, _norm_dim(dim, self._data.ndim), keepdim)

    def amin(
        self, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """Smallest values over ``dim`` (every element when ``()``)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return R.AMin.apply(self, _norm_dim(dim, self._data.ndim), keepdim)

    def logsumexp(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """log(sum(exp(x))) over ``dim``, computed stably by shifting by the maximum."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        if dim is None:
            raise TypeError("logsumexp() missing 1 required positional argument: 'dim'")
        return R.LogSumExp.apply(self._f(), _norm_dim(dim, self._data.ndim), keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Vector p-norm (sum_i |x_i|^p)^(1/p) over ``dim`` (all elements when None); ``p='fro'`` is
        the 2-norm; ``p='nuc'`` the nuclear norm of the matrices on ``dim`` (a pair of dims; all of a
        2-D tensor's when None); ``dtype`` converts the input first."""
        if dtype is not None:
            return self.type(dtype).norm(p, dim, keepdim)
        if p is None:
            p = 2
        elif isinstance(p, str):  # 'fro' over at most two dims is the 2-norm; the rest: matrix norms
            if p != "fro" or (dim is not None and not isinstance(dim, int) and len(dim) > 2):
                return matrix_norm(self, p, tuple(range(self._data.ndim)) if dim is None else dim, keepdim)  # type: ignore[arg-type]
            p = 2
        return R.Norm.apply(self._f(), float(p), _norm_dim(dim, self._data.ndim), keepdim)

    def argmax(
        self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """Index of the largest element (flattened when ``dim`` is None)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        if dim is None:
            return self._make(np.asarray(np.argmax(self._data), dtype=np.int64))
        return self._make(_argext(self._data, _one_dim(dim, self._data.ndim), keepdim, False))

    def argmin(
        self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """Index of the smallest element (flattened when ``dim`` is None)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        if dim is None:
            return self._make(np.asarray(np.argmin(self._data), dtype=np.int64))
        return self._make(_argext(self._data, _one_dim(dim, self._data.ndim), keepdim, True))

    def all(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """True where every element over ``dim`` is nonzero."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return self._make(np.all(self._data, axis=_norm_dim(dim, self._data.ndim), keepdims=keepdim))

    def any(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        """True where some element over ``dim`` is nonzero."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_names(dim, keepdim, axis, keepdims)
        return self._make(np.any(self._data, axis=_norm_dim(dim, self._data.ndim), keepdims=keepdim))

    def cumsum(self, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Tensor:
        """Running sum along ``dim``: y_i = sum_{j <= i} x_j (integers and bools sum as int64)."""
        if axis is not None:
            dim = _axis(dim, axis)
        if dim is None:
            raise TypeError("cumsum() missing 1 required positional argument: 'dim'")
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind in "biu" and dtype is None:
            x = x.long()
        return R.CumSum.apply(x, _one_dim(dim, x._data.ndim))

    def count_nonzero(self, dim: Any = None, *, axis: Any = None) -> Tensor:
        """The number of nonzero elements over ``dim`` (all when None), as int64."""
        if axis is not None:
            dim = _axis(dim, axis)
        n = np.count_nonzero(self._data, axis=_norm_dim(dim, self._data.ndim))
        return self._make(np.asarray(n, dtype=np.int64))
