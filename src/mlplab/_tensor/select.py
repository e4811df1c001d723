"""Rearranging and selecting methods of ``Tensor``: split/chunk, flip/roll, repeat/tile,
index_select, scatter(_add), tril/triu/diag, outer, sort/argsort/topk, unique, bincount, histc.

The differentiable ones reuse the view ops (``Index``, ``Reshape``, ``Expand``, ``Gather``) where
the result is a rearrangement of the input, and use :mod:`mlplab.ops.select` otherwise.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor_base import TensorBase
from ..autograd.view_bases import mark_multi
from ..ops import linalg as LA
from ..ops import select as P
from ..ops import shape as S
from .reduce import _ValuesIndices
from .shape import _axis_for, _dim_and_index, _norm_dim, _one_dim, _shape_args

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}
_SCATTER_REDUCE_DEPRECATED = (
    "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a future "
    "PyTorch release. Use torch.scatter_reduce instead for more reduction options."
)


class SortResult(_ValuesIndices):
    __slots__ = ()
    op = "sort"


class TopkResult(_ValuesIndices):
    __slots__ = ()
    op = "topk"


def _index_array(index: Any, what: str) -> np.ndarray:
    idx = index._data if isinstance(index, TensorBase) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{what}(): Expected dtype int64 for index, got {idx.dtype}")
    return idx


class SelectMixin:
    """Rearranging and selecting (mixed into ``Tensor``)."""

    __slots__ = ()

    def _along(self, dim: int, key: Any) -> Tensor:
        """``self[..., key, ...]`` with ``key`` at dimension ``dim``, through the Index op."""
        full = (slice(None),) * dim + (key,)
        return S.Index.apply(self, full, not isinstance(key, slice))

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
        d = _one_dim(dim, self._data.ndim)
        n = self._data.shape[d]
        if isinstance(split_size, (int, np.integer)):
            step = max(int(split_size), 1)
            sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
        else:
            sizes = [int(s) for s in split_size]
            if sum(sizes) != n:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                    f"dimension {d}), but got split_sizes={sizes}"
                )
        starts = np.cumsum([0] + sizes[:-1])
        out = tuple(self._along(d, slice(int(s), int(s) + k)) for s, k in zip(starts, sizes))
        if out and out[0].grad_fn is not None:  # PyTorch refuses in-place changes of these views
            fn = "Split" if isinstance(split_size, (int, np.integer)) else "SplitWithSizes"
            for i, o in enumerate(out):
                o.grad_fn.multi_view = (fn, i)
        elif out:
            mark_multi(out)
        return out

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """At most ``chunks`` pieces of ceil(n / chunks) along ``dim``."""
        if chunks <= 0:
            raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
        n = self._data.shape[_one_dim(dim, self._data.ndim)]
        return self.split(max(-(-n // chunks), 1), dim)

    def narrow(self, dim: int, start: Any, length: int) -> Tensor:
        """``length`` elements from ``start`` along ``dim``: y = x[..., start:start + length, ...]
        (a view)."""
        d = _one_dim(dim, self._data.ndim)
        n = self._data.shape[d]
        start, length = int(start), int(length)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        start %= max(n, 1)
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self._along(d, slice(start, start + length))

    def select(self, dim: int, index: int) -> Tensor:
        """The slice at ``index`` along ``dim``, which disappears: y = x[..., index, ...] (a view)."""
        d = _one_dim(dim, self._data.ndim)
        n = self._data.shape[d]
        i = int(index)
        if not -n <= i < n:
            shape = list(self._data.shape)
            raise IndexError(f"select(): index {i} out of range for tensor of size {shape} at dimension {d}")
        return S.Index.apply(self, (slice(None),) * d + (i % n,), False)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each without it: ``tuple(x.select(dim, i) for i ...)`` (views,
        which PyTorch refuses to change in place while recording, as ``split``'s)."""
        d = _one_dim(dim, self._data.ndim)
        out = tuple(S.Index.apply(self, (slice(None),) * d + (i,), False) for i in range(self._data.shape[d]))
        if out and out[0].grad_fn is not None:
            for i, o in enumerate(out):
                o.grad_fn.multi_view = ("Unbind", i)
        elif out:
            mark_multi(out)
        return out

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order of elements along each of ``dims``."""
        axes = _norm_dim(_shape_args(dims), self._data.ndim) or ()
        key = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(self._data.ndim))
        return S.Index.apply(self, key, False)

    def roll(self, shifts: Any, dims: Any = ()) -> Tensor:
        """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor when none)."""
        if dims is None or dims == ():
            return self.reshape(-1).roll(shifts, 0).reshape(self._data.shape)
        sh = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        ds = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(sh) != len(ds):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
        out = self
        for s, d in zip(sh, ds):
            d = _one_dim(d, self._data.ndim)
            n = self._data.shape[d]
            out = out._along(d, (np.arange(n) - int(s)) % max(n, 1))
        return out

    def repeat(self, *repeats: Any) -> Tensor:
        """Tile the tensor ``repeats[i]`` times along dimension i (leading new dimensions allowed)."""
        reps = _shape_args(repeats)
        nd = self._data.ndim
        if len(reps) < nd:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        shape = (1,) * (len(reps) - nd) + self._data.shape
        inter = tuple(x for n in shape for x in (1, n))
        big = tuple(x for r, n in zip(reps, shape) for x in (r, n))
        x = self.reshape(inter).expand(big)
        return x.reshape(tuple(r * n for r, n in zip(reps, shape)))

    def tile(self, *dims: Any) -> Tensor:
        """:meth:`repeat` with ones prepended to ``dims`` when it is shorter than the tensor's rank."""
        reps = _shape_args(dims)
        return self.repeat((1,) * (self._data.ndim - len(reps)) + reps)

    def index_select(self, dim: Any = None, index: Any = None, *, axis: int | None = None) -> Tensor:
        """The entries ``index`` (1-D) along ``dim`` (or NumPy's ``axis``, which torch also takes)."""
        if axis is not None or dim is None or index is None:
            dim = _dim_and_index("index_select", dim, index, axis)
        idx = _index_array(index, "index_select").reshape(-1)
        return self._along(_one_dim(dim, self._data.ndim), idx)

    def _scatter_args(self, dim: int, index: Any, src: Any, value: Any) -> tuple:
        idx = _index_array(index, "scatter")
        if idx.ndim != self._data.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        if src is None:
            src = value
        s = src if isinstance(src, TensorBase) else self._make(np.full(idx.shape, src, self._data.dtype))
        if s._data.dtype != self._data.dtype:
            s = s.type(self.dtype)
        return _one_dim(dim, self._data.ndim), idx, s

    def scatter(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        """A copy with ``out[index[i][j]][j] = src[i][j]`` (for dim 0; likewise along any dim);
        ``reduce='add'|'multiply'`` combines instead (torch has no gradient for those)."""
        if reduce is not None:
            if reduce not in _SCATTER_REDUCE:
                raise RuntimeError("reduce argument must be either add or multiply.")
            if isinstance(src, TensorBase):
                warnings.warn(_SCATTER_REDUCE_DEPRECATED, UserWarning, stacklevel=2)
            d, idx, s = self._scatter_args(dim, index, src, value)
            return P.ScatterReduceNoGrad.apply(self, s, idx, d, _SCATTER_REDUCE[reduce], True)
        d, idx, s = self._scatter_args(dim, index, src, value)
        return P.Scatter.apply(self, s, idx, d)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        """A copy with ``out[index[i][j]][j] += src[i][j]`` (repeated indices add up)."""
        d, idx, s = self._scatter_args(dim, index, src, None)
        return P.ScatterAdd.apply(self, s, idx, d)

    def scatter_reduce(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        """A copy where each target ``out[index[i][j]][j]`` (dim 0) is ``reduce`` (sum, prod, mean,
        amax, amin) of the src values sent to it, and of its own value if ``include_self``."""
        if reduce not in ("sum", "prod", "mean", "amax", "amin", "max", "min"):  # max, min: as torch
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        d, idx, s = self._scatter_args(dim, index, src, None)
        return P.ScatterReduce.apply(self, s, idx, d, reduce, bool(include_self))

    def scatter_(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        """In-place :meth:`scatter`."""
        if self._records(src):  # type: ignore[attr-defined]
            # the recorded op takes a handle on self's old value, not self (whose node it becomes)
            return self._rebind(self._old().scatter(dim, index, src, value, reduce=reduce))  # type: ignore[attr-defined]
        return self._write(self.scatter(dim, index, src, value, reduce=reduce))

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        """In-place :meth:`scatter_add`."""
        if self._records(src):  # type: ignore[attr-defined]
            return self._rebind(self._old().scatter_add(dim, index, src))  # type: ignore[attr-defined]
        return self._write(self.scatter_add(dim, index, src))

    def scatter_reduce_(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        """In-place :meth:`scatter_reduce`."""
        if self._records(src):  # type: ignore[attr-defined]
            out = self._old().scatter_reduce(dim, index, src, reduce, include_self=include_self)  # type: ignore[attr-defined]
            return self._rebind(out)  # type: ignore[attr-defined]
        return self._write(self.scatter_reduce(dim, index, src, reduce, include_self=include_self))

    def _write(self, result: Tensor) -> Tensor:
        """Write an unrecorded result into self's array and count the change (one version)."""
        self._data[...] = result._data
        return self._changed()  # type: ignore[attr-defined]

    def tril(self, diagonal: int = 0) -> Tensor:
        """Elements on and below the ``diagonal``-th diagonal; zeros above."""
        return P.Tri.apply(self, diagonal, False)

    def triu(self, diagonal: int = 0) -> Tensor:
        """Elements on and above the ``diagonal``-th diagonal; zeros below."""
        return P.Tri.apply(self, diagonal, True)

    def diag(self, diagonal: int = 0) -> Tensor:
        """1-D: the square matrix with self on the ``diagonal``-th diagonal; 2-D: that diagonal."""
        if self._data.ndim not in (1, 2):
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self._data.ndim}D")
        return P.Diag.apply(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The ``offset``-th diagonal of the matrices spanned by ``dim1`` and ``dim2``, appended as
        the last dimension: y[..., i] = x[..., i, i + offset] (a view, as PyTorch's)."""
        n = self._data.ndim
        d1, d2 = _one_dim(dim1, n), _one_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return LA.Diagonal.apply(self, int(offset), d1, d2)

    def outer(self, vec2: Tensor) -> Tensor:
        """out[i, j] = self[i] * vec2[j]."""
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    def argsort(
        self, dim: int = -1, descending: bool = False, *, stable: bool = False, axis: int | None = None
    ) -> Tensor:
        """Indices that sort ``dim`` (stably: ties keep their order; ``axis``: NumPy's ``dim``)."""
        dim = _axis_for(dim, axis, -1)
        a = self._data
        if a.ndim == 0:
            return self._make(np.zeros((), np.int64))
        d = _one_dim(dim, a.ndim)
        if descending:
            key = -a.astype(np.int64) if a.dtype.kind in "bu" else -a
            idx = np.argsort(key, axis=d, kind="stable")
        else:
            idx = np.argsort(a, axis=d, kind="stable")
        return self._make(idx.astype(np.int64))

    def sort(
        self, dim: int = -1, descending: bool = False, *, stable: bool = False, axis: int | None = None
    ) -> SortResult:
        """``(values, indices)`` sorted along ``dim`` (or ``axis``); the values carry the gradient."""
        dim = _axis_for(dim, axis, -1)
        idx = self.argsort(dim, descending)
        if self._data.ndim == 0:
            return SortResult(self.clone(), idx)
        return SortResult(S.Gather.apply(self, _one_dim(dim, self._data.ndim), idx._data), idx)

    def topk(
        self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, axis: int | None = None
    ) -> TopkResult:
        """The ``k`` largest (or smallest) entries along ``dim`` (or ``axis``) and their indices."""
        d = _one_dim(_axis_for(dim, axis, -1), self._data.ndim)
        n = self._data.shape[d] if self._data.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        idx = self.argsort(d, largest)._data
        idx = idx[(slice(None),) * d + (slice(0, k),)]
        return TopkResult(S.Gather.apply(self, d, idx), self._make(idx))

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        """The distinct values (sorted), optionally with the inverse indices and the counts."""
        axis = None if dim is None else _one_dim(dim, self._data.ndim)
        vals, inv, counts = np.unique(self._data, return_inverse=True, return_counts=True, axis=axis)
        out = [self._make(vals)]
        if return_inverse:
            shape = self._data.shape if axis is None else (self._data.shape[axis],)
            out.append(self._make(inv.reshape(shape).astype(np.int64)))
        if return_counts:
            out.append(self._make(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        """Counts of each value 0..max (1-D non-negative integers), or sums of ``weights``."""
        a = self._data
        if a.ndim != 1 or a.dtype.kind not in "iu":
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if weights is None:
            return self._make(np.bincount(a, minlength=minlength).astype(np.int64))
        w = weights._data if isinstance(weights, TensorBase) else np.asarray(weights)
        return self._make(np.bincount(a, w, minlength).astype(w.dtype if w.dtype.kind == "f" else np.float64))

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        """Histogram with ``bins`` equal bins over [min, max] (the data's range when min == max);
        values outside are ignored."""
        a = self._data
        lo, hi = float(min), float(max)
        if lo == hi and a.size:
            lo, hi = float(a.min()), float(a.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        counts, _ = np.histogram(a, bins=bins, range=(lo, hi))
        return self._make(counts.astype(a.dtype if a.dtype.kind == "f" else np.float32))
