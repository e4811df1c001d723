"""Reductions as top-level functions: sum, mean, var/std, max/min, norm, argmax, all/any, ..."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from ._common import public


def sum(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """sum_i x_i over ``dim`` (every element when None)."""
    return input.sum(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """prod_i x_i over one ``dim`` (every element when None)."""
    return input.prod(dim, keepdim, dtype=dtype)


def mean(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """(1/N) sum_i x_i over ``dim``."""
    return input.mean(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """sum (x - mean)^2 / (N - correction); correction 1 unless unbiased=False or given."""
    return input.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """sqrt(var(input, ...))."""
    return input.std(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)


def max(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Any:
    """Largest element, ``(values, indices)`` along ``dim``, or ``maximum`` when dim is a tensor."""
    return input.max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Any:
    """Smallest element, ``(values, indices)`` along ``dim``, or ``minimum`` when dim is a tensor."""
    return input.min(dim, keepdim, axis=axis, keepdims=keepdims)


def amax(
    input: Tensor, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.amax(dim, keepdim, axis=axis, keepdims=keepdims)


def amin(
    input: Tensor, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.amin(dim, keepdim, axis=axis, keepdims=keepdims)


def logsumexp(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    """log sum_i exp(x_i) over ``dim`` (max-shifted)."""
    return input.logsumexp(dim, keepdim, axis=axis, keepdims=keepdims)


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, out: Any = None, dtype: Any = None
) -> Tensor:
    """(sum_i |x_i|^p)^(1/p) over ``dim``; 'fro' is p = 2."""
    if out is not None:
        raise TypeError("norm(): out= is not supported by mlplab (results are new tensors)")
    return input.norm(p, dim, keepdim, dtype)


def argmax(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def all(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.all(dim, keepdim, axis=axis, keepdims=keepdims)


def any(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None
) -> Tensor:
    return input.any(dim, keepdim, axis=axis, keepdims=keepdims)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None, axis: Any = None) -> Tensor:
    """y_i = sum_{j <= i} x_j along ``dim``."""
    return input.cumsum(dim, dtype=dtype, axis=axis)


def count_nonzero(input: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    return input.count_nonzero(dim, axis=axis)


__all__ = public(globals(), __name__)
