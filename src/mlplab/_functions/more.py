"""Reductions, scans, order statistics and dimension handling as top-level functions
(``torch.cumprod``, ``torch.median``, ``torch.quantile``, ``torch.movedim``, ``torch.hstack``,
``torch.atleast_2d``, ``torch.broadcast_tensors`` ...). Each calls the Tensor method that does the
work (:mod:`mlplab._tensor.reduce_more`, :mod:`mlplab._tensor.shape_more`) or composes them."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor.shape import Size
from ..tensor import Tensor
from ._common import public
from .shape import cat


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """y_j = prod_{i <= j} x_j along ``dim``."""
    return input.cumprod(dim, dtype=dtype)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """y_j = log sum_{i <= j} exp(x_i) along ``dim``."""
    return input.logcumsumexp(dim)


def cummax(input: Tensor, dim: int) -> Any:
    return input.cummax(dim)


def cummin(input: Tensor, dim: int) -> Any:
    return input.cummin(dim)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The n-th forward difference along ``dim``."""
    return input.diff(n, dim, prepend, append)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return input.nansum(dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return input.nanmean(dim, keepdim, dtype=dtype)


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return input.median(dim, keepdim)


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return input.nanmedian(dim, keepdim)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    return input.kthvalue(k, dim, keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    return input.mode(dim, keepdim)


def quantile(
    input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    return input.quantile(q, dim, keepdim, interpolation=interpolation)


def nanquantile(
    input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    return input.nanquantile(q, dim, keepdim, interpolation=interpolation)


def aminmax(input: Tensor, *, dim: Any = None, keepdim: bool = False) -> Any:
    return input.aminmax(dim=dim, keepdim=keepdim)


def std_mean(input: Tensor, dim: Any = None, *, correction: Any = None, keepdim: bool = False) -> tuple:
    """(std, mean) over ``dim`` with Bessel's ``correction`` (1 when None)."""
    c = 1 if correction is None else correction
    return input.std(dim, correction=c, keepdim=keepdim), input.mean(dim, keepdim)


def var_mean(input: Tensor, dim: Any = None, *, correction: Any = None, keepdim: bool = False) -> tuple:
    """(var, mean) over ``dim`` with Bessel's ``correction`` (1 when None)."""
    c = 1 if correction is None else correction
    return input.var(dim, correction=c, keepdim=keepdim), input.mean(dim, keepdim)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    return input.movedim(source, destination)


moveaxis = movedim


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return input.transpose(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


def ravel(input: Tensor) -> Tensor:
    return input.reshape(-1)


def flipud(input: Tensor) -> Tensor:
    return input.flipud()


def fliplr(input: Tensor) -> Tensor:
    return input.fliplr()


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    return input.rot90(k, dims)


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    return input.unflatten(dim, sizes)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return input.broadcast_to(size)


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape the given shapes broadcast to: right-aligned, each dimension the one size other
    than 1 that appears there (1 when none does)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    out = [1] * max((len(s) for s in shapes), default=0)
    for k, sh in enumerate(shapes):
        for d in range(-1, -len(sh) - 1, -1):
            if out[d] == 1:
                out[d] = sh[d]
            elif sh[d] != 1 and sh[d] != out[d]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {sh[d]} at {d}! Mismatching argument at "
                    f"index {k} had {sh}; but expected shape should be broadcastable to {out}"
                )
    return Size(out)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Each tensor expanded to the shape they broadcast to."""
    acc: tuple = ()
    for t in tensors:
        a, b = acc[::-1], tuple(t.shape)[::-1]
        for i in range(min(len(a), len(b))):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {max(len(a), len(b)) - 1 - i}"
                )
        acc = tuple(np.broadcast_shapes(acc, tuple(t.shape)))
    return tuple(t.expand(*acc) for t in tensors)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    return input.nonzero(as_tuple=as_tuple)


def argwhere(input: Tensor) -> Tensor:
    return input.nonzero()


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    return input.masked_select(mask)


def take(input: Tensor, index: Tensor) -> Tensor:
    return input.take(index)


def t(input: Tensor) -> Tensor:
    return input.t()


def detach(input: Tensor) -> Tensor:
    return input.detach()


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dimension (a 0-d one becomes shape (1,))."""
    return _atleast(tensors, lambda x: x.reshape(1) if x.dim() == 0 else x)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dimensions (leading 1s added)."""
    return _atleast(tensors, lambda x: x.reshape(*([1] * (2 - x.dim())), *x.shape) if x.dim() < 2 else x)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dimensions: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""

    def f(x: Tensor) -> Tensor:
        if x.dim() == 0:
            return x.reshape(1, 1, 1)
        if x.dim() == 1:
            return x.reshape(1, x.shape[0], 1)
        if x.dim() == 2:
            return x.unsqueeze(-1)
        return x

    return _atleast(tensors, f)


def _atleast(tensors: tuple, f: Any) -> Any:
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        return tuple(f(x) for x in tensors[0])
    out = tuple(f(x) for x in tensors)
    return out[0] if len(out) == 1 else out


def hstack(tensors: Any) -> Tensor:
    """cat along dimension 1, or 0 for 1-D tensors."""
    ts = atleast_1d(tuple(tensors))
    return cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """cat along dimension 0 of the tensors made at least 2-D."""
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors: Any) -> Tensor:
    """cat along dimension 2 of the tensors made at least 3-D."""
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors: Any) -> Tensor:
    """Columns side by side: 0-d and 1-D tensors become (n, 1) columns, then cat along dimension 1."""
    cols = [t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in tensors]
    return cat(cols, 1)


def concatenate(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """``cat`` (torch's NumPy-style name; ``axis`` as NumPy spells ``dim``)."""
    return cat(tensors, dim, axis=axis)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    return input.index_add(dim, index, source, alpha=alpha)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return input.index_copy(dim, index, source)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    return input.index_fill(dim, index, value)


def repeat_interleave(
    input: Tensor, repeats: Any, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (slice along ``dim``) repeated ``repeats`` times (the input flattened when
    ``dim`` is None)."""
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def _tri(fn: Any, row: int, col: int, offset: int, dtype: Any, requires_grad: bool) -> Tensor:
    r, c = fn(row, offset, col)
    t = Tensor._make(np.stack([r, c]).astype(np.int64).reshape(2, -1))
    t = t if dtype is None else t.type(dtype)
    return t.requires_grad_(True) if requires_grad else t


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row x col matrix."""
    return _tri(np.tril_indices, row, col, offset, dtype, requires_grad)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The (2, N) row and column indices of the upper triangle of a row x col matrix."""
    return _tri(np.triu_indices, row, col, offset, dtype, requires_grad)


def _search(seq: np.ndarray, values: np.ndarray, side: str, out_int32: bool) -> Tensor:
    if seq.ndim <= 1:
        r = np.searchsorted(seq.reshape(-1), values, side=side)
    else:
        if seq.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                f"of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                f"{list(seq.shape)} and input value tensor {list(values.shape)}"
            )
        s2, v2 = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        r = np.stack([np.searchsorted(a, b, side=side) for a, b in zip(s2, v2)]).reshape(values.shape)
    return Tensor._make(np.asarray(r, np.int32 if out_int32 else np.int64))


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """Where each value of ``input`` would be inserted in the innermost dimension of
    ``sorted_sequence`` to keep it sorted (the first such place, or the last with ``right``)."""
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left while "
            "right was True"
        )
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    return _search(seq, v, "right" if right or side == "right" else "left", out_int32)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each element of ``input`` among the 1-D sorted ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (``right``: boundaries[i-1] <= x < boundaries[i])."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    return _search(boundaries._data, v, "right" if right else "left", out_int32)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` is among ``test_elements`` (False with ``invert``)."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return Tensor._make(np.isin(e, t, invert=invert))


def cdist(
    x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"
) -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M):
    out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p."""
    if x1.dim() < 2 or x2.dim() < 2:
        k, d = (1, x1.dim()) if x1.dim() < 2 else (2, x2.dim())
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{k} got: {d}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


def tensor_split(input: Tensor, tensor_indices_or_sections: Any, dim: int = 0) -> tuple:
    return input.tensor_split(tensor_indices_or_sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple:
    return input.hsplit(sections)


def vsplit(input: Tensor, sections: Any) -> tuple:
    return input.vsplit(sections)


def dsplit(input: Tensor, sections: Any) -> tuple:
    return input.dsplit(sections)


__all__ = public(globals(), __name__)
