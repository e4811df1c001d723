"""More reductions and scans of ``Tensor``: cumprod, cummax/cummin, logcumsumexp, diff, nansum,
nanmean, median/nanmedian, kthvalue, quantile/nanquantile, aminmax.

The order statistics pick their elements with NumPy (a stable argsort, NaN last) and take the
values with ``gather``, so the gradient goes to the chosen elements as PyTorch sends it.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import arithmetic as B
from ..ops import scan as SC
from ..ops import shape as S
from .shape import _one_dim

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


def _result(op: str, fields: tuple = ("values", "indices")) -> type:
    """A named pair printed as ``mlplab.return_types.<op>(...)`` (PyTorch's return_types)."""

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"mlplab.return_types.{op}(\n{body})"

    return type(op, (namedtuple(op, fields),), {"__slots__": (), "__repr__": __repr__})


Cummax, Cummin, Median, Nanmedian, Kthvalue = (
    _result(n) for n in ("cummax", "cummin", "median", "nanmedian", "kthvalue")
)
Aminmax = _result("aminmax", ("min", "max"))
Mode = _result("mode")


class ReduceMoreMixin:
    """Scans, NaN-ignoring reductions and order statistics (mixed into ``Tensor``)."""

    __slots__ = ()

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running product along ``dim``: y_j = prod_{i <= j} x_i (integers and bools as int64)."""
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind in "biu":
            d = _one_dim(dim, x._data.ndim)
            return x._make(np.cumprod(np.atleast_1d(x._data).astype(np.int64), axis=d).reshape(x.shape))
        d = _one_dim(dim, x._data.ndim)
        if x._data.ndim == 0:
            return SC.CumProd.apply(x.reshape(1), 0).reshape(())
        return SC.CumProd.apply(x, d)

    def cumprod_(self, dim: int, *, dtype: Any = None) -> Tensor:
        """self <- cumprod(self, dim), in place."""
        return self._into(lambda t: t.cumprod(dim, dtype=dtype))

    def logcumsumexp(self, dim: int) -> Tensor:
        """y_j = log sum_{i <= j} exp(x_i) along ``dim``, stable (floating dtypes only, as torch)."""
        x = self
        if x._data.dtype.kind != "f":
            raise NotImplementedError(
                f"\"logcumsumexp_out_cpu\" not implemented for '{_torch_name(x._data.dtype)}'"
            )
        d = _one_dim(dim, x._data.ndim)
        if x._data.ndim == 0:
            return SC.LogCumSumExp.apply(x.reshape(1), 0).reshape(())
        return SC.LogCumSumExp.apply(x, d)

    def _cumext(self, dim: int, is_min: bool) -> tuple:
        a = self._data
        d = _one_dim(dim, a.ndim)
        if a.ndim == 0:
            return self.clone(), self._make(np.zeros((), np.int64))
        m = np.moveaxis(a, d, -1)
        idx = np.zeros(m.shape, np.int64)
        if m.shape[-1]:
            best, bi = m[..., 0].copy(), np.zeros(m.shape[:-1], np.int64)
            for j in range(m.shape[-1]):
                v = m[..., j]
                with np.errstate(invalid="ignore"):
                    take = (
                        ((v <= best) if is_min else (v >= best)) | np.isnan(v)
                        if m.dtype.kind == "f"
                        else ((v <= best) if is_min else (v >= best))
                    )
                best = np.where(take, v, best)
                bi = np.where(take, j, bi)
                idx[..., j] = bi
        i = self._make(np.ascontiguousarray(np.moveaxis(idx, -1, d)))
        return self.gather(d, i), i

    def cummax(self, dim: int) -> Any:
        """(values, indices): the running maximum along ``dim`` and where it was (the latest of ties;
        NaN, once met, stays)."""
        return Cummax(*self._cumext(dim, False))

    def cummin(self, dim: int) -> Any:
        """(values, indices): the running minimum along ``dim`` and where it was."""
        return Cummin(*self._cumext(dim, True))

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        """The n-th forward difference along ``dim``: y_i = x_{i+1} - x_i, n times (xor for bools),
        after ``prepend``/``append`` are concatenated."""
        if self._data.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        d = _one_dim(dim, self._data.ndim)
        if any(p is not None and p.dim() != self.dim() for p in (prepend, append)):
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        parts = [p for p in (prepend, self, append) if p is not None]
        x = S.Cat.apply(d, *parts) if len(parts) > 1 else self
        for _ in range(n):
            k = x.shape[d]
            if k == 0:
                break
            hi, lo = x.narrow(d, 1, k - 1), x.narrow(d, 0, k - 1)
            x = hi.logical_xor(lo) if x._data.dtype == np.bool_ else hi - lo
        return x

    def _nan_zeroed(self) -> Tensor:
        mask = np.isnan(self._data)
        return B.Where.apply(self._make(mask), self._make(np.zeros((), self._data.dtype)), self)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """sum of the elements that are not NaN (NaN counted as 0; their gradient is 0)."""
        x = self._nan_zeroed() if self._data.dtype.kind == "f" else self
        return x.sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """mean of the elements that are not NaN: nansum / count of non-NaN."""
        if self._data.dtype.kind != "f":
            raise RuntimeError(
                "nanmean(): expected input to have floating point or complex dtype but got "
                f"{_torch_name(self._data.dtype)}"
            )
        count = self._make((~np.isnan(self._data)).astype(self._data.dtype)).sum(dim, keepdim)
        return self.nansum(dim, keepdim, dtype=dtype) / count

    def _order_stat(self, dim: Any, keepdim: bool, position: Any) -> tuple:
        """values and indices of the element at sorted ``position(sorted, nan_count, n)`` along dim."""
        flat = dim is None
        x = self.reshape(-1) if flat else self
        d = 0 if flat else _one_dim(dim, x._data.ndim)
        if x._data.ndim == 0:
            return self.clone(), self._make(np.zeros((), np.int64))
        a = np.moveaxis(x._data, d, -1)
        order = np.argsort(a, axis=-1, kind="stable")
        n = a.shape[-1]
        nans = np.isnan(a).sum(-1) if a.dtype.kind == "f" else np.zeros(a.shape[:-1], np.int64)
        k = np.asarray(position(nans, n), np.int64)
        idx = np.take_along_axis(order, k[..., None], -1)
        i = x._make(np.ascontiguousarray(np.moveaxis(idx, -1, d)))
        v = x.gather(d, i)
        if flat:
            return v.reshape(()), i.reshape(())
        return (v, i) if keepdim else (v.squeeze(d), i.squeeze(d))

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median along ``dim`` (element (n-1)//2 in sorted order; NaN if a NaN is there):
        a value without ``dim``, else (values, indices)."""
        if dim is None and self._data.size == 0:  # torch: the median of nothing is NaN
            return self._make(np.full((), np.nan, self._data.dtype))
        v, i = self._order_stat(dim, keepdim, lambda nans, n: np.where(nans > 0, n - nans, (n - 1) // 2))
        return v if dim is None else Median(v, i)

    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median of the non-NaN elements (NaN when all are)."""
        v, i = self._order_stat(dim, keepdim, lambda nans, n: np.maximum((n - nans - 1) // 2, 0))
        return v if dim is None else Nanmedian(v, i)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """(values, indices): the k-th smallest element along ``dim`` (k counts from 1)."""
        d = _one_dim(dim, self._data.ndim)
        n = self._data.shape[d] if self._data.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
        return Kthvalue(*self._order_stat(d, keepdim, lambda nans, n_: np.full(nans.shape, k - 1)))

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """(values, indices): the most frequent value along ``dim`` (the smallest of equally frequent
        ones) and the position of its last occurrence, as torch."""
        d = _one_dim(dim, self._data.ndim)
        if self._data.ndim == 0:
            return Mode(self.clone(), self._make(np.zeros((), np.int64)))
        a = np.moveaxis(self._data, d, -1)
        rows = a.reshape(-1, a.shape[-1])
        best = np.zeros(rows.shape[0], np.int64)
        for r, row in enumerate(rows):
            vals, counts = np.unique(row, return_counts=True)
            v = vals[np.argmax(counts)]  # unique sorts: the first maximum is the smallest value
            best[r] = np.flatnonzero(row == v)[-1] if v == v else np.flatnonzero(row != row)[-1]
        i = self._make(np.ascontiguousarray(np.moveaxis(best.reshape(*a.shape[:-1], 1), -1, d)))
        v = self.gather(d, i)
        return Mode(v, i) if keepdim else Mode(v.squeeze(d), i.squeeze(d))

    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> Any:
        """(min, max) over ``dim`` (every element when None)."""
        if dim is None:
            return (
                Aminmax(self.amin(), self.amax())
                if not keepdim
                else Aminmax(
                    self.amin(tuple(range(self.dim())), True), self.amax(tuple(range(self.dim())), True)
                )
            )
        return Aminmax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def _quantile(self, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
        name = "nanquantile" if ignore_nan else "quantile"
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
        qa = q._data if hasattr(q, "_data") else np.asarray(q, dtype=self._data.dtype)
        if qa.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if ((qa < 0) | (qa > 1)).any():
            bad = f" but got {float(qa)}" if qa.ndim == 0 else ""
            raise RuntimeError(
                f"{name}() q {'must' if qa.ndim == 0 else 'values must'} be in the range [0, 1]{bad}"
            )
        modes = ("linear", "lower", "higher", "midpoint", "nearest")
        if interpolation not in modes:
            raise RuntimeError(
                f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                f"but got {interpolation}"
            )
        x = self.reshape(-1) if dim is None else self.movedim(_one_dim(dim, self._data.ndim), -1)
        s = x.sort(-1).values
        a = s._data
        n = a.shape[-1]
        nans = np.isnan(a).sum(-1, keepdims=True)
        valid = n - nans if ignore_nan else np.full(nans.shape, n)
        pos = np.atleast_1d(qa).astype(a.dtype) * (valid - 1).astype(a.dtype)  # (..., Q)
        if not ignore_nan:  # a slice holding NaN gives NaN: its last sorted element, a NaN, as torch
            pos = np.where(nans > 0, (n - 1) * np.ones((), a.dtype), pos)
        pos = np.maximum(pos, 0)
        lo, hi = np.floor(pos), np.ceil(pos)
        if interpolation == "nearest":
            lo = hi = np.round(pos)  # half to even, as torch's nearbyint
        vlo = s.gather(-1, x._make(lo.astype(np.int64)))
        vhi = s.gather(-1, x._make(hi.astype(np.int64)))
        if interpolation in ("lower", "nearest"):
            r = vlo
        elif interpolation == "higher":
            r = vhi
        else:
            w = np.full(pos.shape, 0.5, a.dtype) if interpolation == "midpoint" else pos - lo
            r = vlo.lerp(vhi, x._make(w.astype(a.dtype)))
        if dim is not None and keepdim:
            r = r.unsqueeze(_one_dim(dim, self._data.ndim))
        elif dim is None and keepdim:
            r = r.reshape(*([1] * self._data.ndim), r.shape[-1])
        r = r.movedim(-1, 0)
        return r.squeeze(0) if np.ndim(qa) == 0 else r

    def quantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        """The q-quantiles along ``dim`` (all elements when None): the sorted values at q (n - 1),
        interpolated as ``interpolation`` says; NaN where the slice holds a NaN. A 1-D ``q`` adds a
        leading dimension."""
        return self._quantile(q, dim, keepdim, interpolation, False)

    def nanquantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        """``quantile`` of the non-NaN elements of each slice."""
        return self._quantile(q, dim, keepdim, interpolation, True)


_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _torch_name(dt: np.dtype) -> str:
    return _NAMES.get(dt.name, dt.name)
