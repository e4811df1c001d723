"""Shape functions: reshape, transpose, cat/stack, split/chunk, narrow/select/unbind, flip/roll/tile,
gather/scatter, index_select, masked_fill, tril/triu."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import shape as S
from ..tensor import Tensor, _one_dim, _result_dtype
from ._common import as_tensor as _t
from ._common import public


def _same_dtype(ts: list[Tensor]) -> list[Tensor]:
    dts = {t._data.dtype for t in ts}
    if len(dts) == 1:
        return ts
    dt = ts[0]._data.dtype
    for t in ts[1:]:
        dt = _result_dtype(np.empty(1, dt), np.empty(1, t._data.dtype))
    return [t.type(dt) for t in ts]


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Concatenate along an existing dimension (``axis``: NumPy's name); other dimensions must agree."""
    if axis is not None:
        dim = axis
    ts = _same_dtype([_t(t) for t in tensors])
    if not ts:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    d = _one_dim(dim, ts[0].ndim)
    ref = ts[0].shape
    for i, t in enumerate(ts[1:], 1):
        if t.ndim != len(ref) or [j for j, (a, b) in enumerate(zip(t.shape, ref)) if j != d and a != b]:
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}. Expected {tuple(ref)} but got "
                f"{tuple(t.shape)} for tensor number {i} in the list."
            )
    return S.Cat.apply(d, *ts)


concat = cat


def stack(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of equal shape along a new dimension (``axis``: NumPy's name for ``dim``)."""
    if axis is not None:
        dim = axis
    ts = _same_dtype([_t(t) for t in tensors])
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(ts[1:], 1):
        if t.shape != ts[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(ts[0].shape)} at entry 0 "
                f"and {tuple(t.shape)} at entry {i}"
            )
    return S.Stack.apply(_one_dim(dim, ts[0].ndim + 1), *ts)


def reshape(input: Tensor, shape: Any) -> Tensor:
    return input.reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


def permute(input: Tensor, dims: Any) -> Tensor:
    return input.permute(dims)


def unsqueeze(input: Tensor, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    return input.unsqueeze(dim, axis=axis)


def squeeze(input: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    return input.squeeze(dim, axis=axis)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size_or_sections`` along ``dim`` (an int: equal pieces, the last smaller)."""
    return tensor.split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    return input.chunk(chunks, dim)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``input[..., start:start + length, ...]`` along ``dim`` (a view)."""
    return input.narrow(dim, start, length)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """``input[..., index, ...]`` along ``dim`` (a view without that dimension)."""
    return input.select(dim, index)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices of ``input`` along ``dim`` (views without that dimension)."""
    return input.unbind(dim)


def flip(input: Tensor, dims: Any) -> Tensor:
    return input.flip(dims)


def roll(input: Tensor, shifts: Any, dims: Any = ()) -> Tensor:
    return input.roll(shifts, dims)


def tile(input: Tensor, dims: Any) -> Tensor:
    return input.tile(dims)


def gather(
    input: Tensor, dim: Any = None, index: Any = None, *, sparse_grad: bool = False, axis: int | None = None
) -> Tensor:
    """out[i][j] = input[i][index[i][j]] for dim 1 (likewise along any dim; ``axis``: NumPy's ``dim``)."""
    return input.gather(dim, index, axis=axis)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """input's entries at ``indices`` along ``dim``, the two broadcast elsewhere (None: flattened)."""
    return input.take_along_dim(indices, dim)


def index_select(input: Tensor, dim: Any = None, index: Any = None, *, axis: int | None = None) -> Tensor:
    """The entries ``index`` (1-D) of ``input`` along ``dim`` (or NumPy's ``axis``)."""
    return input.index_select(dim, index, axis=axis)


def scatter(
    input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, *, reduce: Any = None
) -> Tensor:
    return input.scatter(dim, index, src, value, reduce=reduce)


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Each target of ``index`` along ``dim`` reduced (sum, prod, mean, amax, amin) over the src
    values sent to it, and its own value if ``include_self``; see :meth:`Tensor.scatter_reduce`."""
    return input.scatter_reduce(dim, index, src, reduce, include_self=include_self)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return input.scatter_add(dim, index, src)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    return input.masked_fill(mask, value)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.tril(diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.triu(diagonal)


__all__ = public(globals(), __name__)
