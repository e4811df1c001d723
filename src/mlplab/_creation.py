"""Tensor factories with PyTorch's signatures: ``tensor``, ``zeros``, ``randn``, ``*_like`` ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from . import random as _random
from .tensor import Tensor, _shape_args, _to_array


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_np(dtype: Any) -> np.dtype:
    return _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor copying ``data`` (floats -> default dtype, ints -> int64, NumPy keeps its dtype)."""
    return _finish(_to_array(data, dtype), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or Tensor of the same dtype."""
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_np(dtype) == data._data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_np(dtype) == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    return Tensor._make(_to_array(data, dtype))


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``a`` (changes to one show in the other)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(a).__name__})")
    _dtype.from_numpy_dtype(a.dtype)
    return Tensor._make(a)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_shape_args(size), dtype=_float_np(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_shape_args(size), dtype=_float_np(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(_shape_args(size), dtype=_float_np(dtype)), requires_grad)


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value)."""
    if dtype is None:
        dt = _to_array(fill_value, None).dtype
    else:
        dt = _dtype.to_np(dtype)
    return _finish(np.full(_shape_args((size,)), fill_value, dtype=dt), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_np(dtype)), requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); int64 unless any argument is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        isf = any(isinstance(v, float) for v in (start, end, step))
        dt = _dtype.default_np() if isf else np.dtype(np.int64)
    else:
        dt = _dtype.to_np(dtype)
    return _finish(np.arange(start, end, step).astype(dt), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.linspace(start, end, steps).astype(_float_np(dtype)), requires_grad)


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Samples from U[0, 1)."""
    arr = _random.rng(generator).random(_shape_args(size)).astype(_float_np(dtype))
    return _finish(arr, requires_grad)


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Samples from N(0, 1)."""
    arr = _random.rng(generator).standard_normal(_shape_args(size)).astype(_float_np(dtype))
    return _finish(arr, requires_grad)


def randint(
    low: int, high: Any = None, size: Any = None, generator: Any = None, dtype: Any = None, device: Any = None
) -> Tensor:
    """Integers uniform in [low, high) (``randint(high, size)`` also accepted)."""
    if size is None:
        low, high, size = 0, low, high
    dt = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.int64)
    arr = _random.rng(generator).integers(low, high, _shape_args((size,))).astype(dt)
    return Tensor._make(arr)


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    return Tensor._make(_random.rng(generator).permutation(n).astype(np.int64))


def normal(mean: float, std: float, size: Any, generator: Any = None) -> Tensor:
    return Tensor._make(
        _random.rng(generator).normal(mean, std, _shape_args((size,))).astype(_dtype.default_np())
    )


def _like(t: Tensor, dtype: Any) -> tuple:
    return t._data.shape, (_dtype.to_np(dtype) if dtype is not None else t._data.dtype)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(np.zeros(s, d), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(np.ones(s, d), requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(np.empty(s, d), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(np.full(s, fill_value, d), requires_grad)


def rand_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, generator: Any = None, **_: Any
) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(_random.rng(generator).random(s).astype(d), requires_grad)


def randn_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, generator: Any = None, **_: Any
) -> Tensor:
    s, d = _like(t, dtype)
    return _finish(_random.rng(generator).standard_normal(s).astype(d), requires_grad)


def randint_like(t: Tensor, low: int, high: Any = None, dtype: Any = None, generator: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    s, d = _like(t, dtype)
    return Tensor._make(_random.rng(generator).integers(low, high, s).astype(d))
