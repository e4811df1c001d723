"""Tensor factories with PyTorch's signatures: ``tensor``, ``zeros``, ``randn``, ``*_like`` ...

Every factory takes torch's keywords: ``dtype=``, ``device=`` (the CPU only, see
:mod:`mlplab._device`), ``requires_grad=``, ``generator=`` for the random ones and ``out=`` where
torch has it (the result is written into ``out``, which is returned).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _device, _dtype
from . import random as _random
from .ops.sampling import NormalSample
from .tensor import Size, Tensor, _shape_args, _to_array


def _finish(arr: np.ndarray, requires_grad: Any, device: Any, out: Any = None) -> Tensor:
    """Wrap a factory's array: check the device, write into ``out`` if given, set requires_grad."""
    _device.check(device)
    if out is not None:
        out._data = arr  # torch resizes ``out`` to the result; the array is new either way
        t = out
    else:
        t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(fn: str, size: tuple, size_kw: dict) -> tuple:
    """The shape of a ``*size`` factory: the positional sizes, or torch's keyword ``size=`` (a
    sequence), refused as torch refuses it: given twice, not a sequence, or missing."""
    if not size_kw:
        if not size:
            raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
        return _shape_args(size)
    unexpected = [k for k in size_kw if k != "size"]
    if unexpected:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{unexpected[0]}'")
    given = size_kw["size"]
    if size:
        raise TypeError(f"{fn}() got multiple values for argument 'size'")
    if not isinstance(given, (tuple, list, Size)):
        raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {type(given).__name__}")
    return _shape_args((given,))


def _float_np(dtype: Any) -> np.dtype:
    return _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor copying ``data`` (floats -> default dtype, ints -> int64, NumPy keeps its dtype)."""
    return _finish(_to_array(data, dtype), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or Tensor of the same dtype."""
    _device.check(device)
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_np(dtype) == data._data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_np(dtype) == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    return Tensor._make(_to_array(data, dtype))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def zeros(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **size_kw: Any,
) -> Tensor:
    """Shape ``size`` of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    shape = _shape_args(size) if size and not size_kw else _size("zeros", size, size_kw)
    return _finish(np.zeros(shape, dtype=_float_np(dtype)), requires_grad, device, out)


def ones(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **size_kw: Any,
) -> Tensor:
    """Shape ``size`` of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``."""
    shape = _shape_args(size) if size and not size_kw else _size("ones", size, size_kw)
    return _finish(np.ones(shape, dtype=_float_np(dtype)), requires_grad, device, out)


def empty(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **size_kw: Any,
) -> Tensor:
    """Shape ``size``, uninitialised: ``empty(2, 3)``, ``empty((2, 3))`` or ``empty(size=(2, 3))``."""
    shape = _shape_args(size) if size and not size_kw else _size("empty", size, size_kw)
    return _finish(np.empty(shape, dtype=_float_np(dtype)), requires_grad, device, out)


def full(
    size: Any,
    fill_value: Any,
    *,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value)."""
    dt = _to_array(fill_value, None).dtype if dtype is None else _dtype.to_np(dtype)
    return _finish(np.full(_shape_args((size,)), fill_value, dtype=dt), requires_grad, device, out)


def eye(
    n: int,
    m: int | None = None,
    *,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_np(dtype)), requires_grad, device, out)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    out: Any = None,
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
    return _finish(np.arange(start, end, step).astype(dt), requires_grad, device, out)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    arr = np.linspace(start, end, steps).astype(_float_np(dtype))
    return _finish(arr, requires_grad, device, out)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """base ** linspace(start, end, steps)."""
    arr = np.power(float(base), np.linspace(start, end, steps)).astype(_float_np(dtype))
    return _finish(arr, requires_grad, device, out)


def rand(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **size_kw: Any,
) -> Tensor:
    """Samples from U[0, 1) of shape ``size`` (positional sizes, a sequence, or ``size=``)."""
    shape = _shape_args(size) if size and not size_kw else _size("rand", size, size_kw)
    arr = _random.rng(generator).random(shape).astype(_float_np(dtype))
    return _finish(arr, requires_grad, device, out)


def randn(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **size_kw: Any,
) -> Tensor:
    """Samples from N(0, 1) of shape ``size`` (positional sizes, a sequence, or ``size=``)."""
    shape = _shape_args(size) if size and not size_kw else _size("randn", size, size_kw)
    arr = _random.rng(generator).standard_normal(shape).astype(_float_np(dtype))
    return _finish(arr, requires_grad, device, out)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in [low, high) (``randint(high, size)`` also accepted)."""
    if size is None:
        low, high, size = 0, low, high
    dt = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.int64)
    arr = _random.rng(generator).integers(low, high, _shape_args((size,))).astype(dt)
    return _finish(arr, requires_grad, device, out)


def randperm(
    n: int,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of 0 .. n-1 (int64 unless ``dtype``)."""
    dt = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.int64)
    return _finish(_random.rng(generator).permutation(n).astype(dt), requires_grad, device, out)


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from N(mean, std^2): ``normal(0, 0.01, size=(2, 3))`` with numbers, or elementwise
    with tensor-valued ``mean`` and/or ``std`` (broadcast together; their dtype, shape of the
    broadcast). The sample's gradient with respect to tensor mean/std is zero, as in torch."""
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    r = _random.rng(generator)
    if not (tm or ts):
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments: with float mean and std, "
                "size is required (or pass a tensor mean or std)"
            )
        arr = r.normal(mean, std, _shape_args((size,))).astype(_float_np(dtype))
        return _finish(arr, requires_grad, device, out)
    like = mean if tm else std
    m = mean if tm else like._other(mean)
    s = std if ts else like._other(std)
    shape = np.broadcast_shapes(m._data.shape, s._data.shape)
    z = r.standard_normal(shape).astype(like._data.dtype)
    res = NormalSample.apply(m, s, z, 3 if tm and ts else 1 if tm else 2)
    _device.check(device)
    if out is not None:
        out._data = res._data
        return out
    return res


def _like(t: Tensor, dtype: Any, device: Any) -> tuple:
    _device.check(device)
    return t._data.shape, (_dtype.to_np(dtype) if dtype is not None else t._data.dtype)


def zeros_like(
    input: Tensor,
    *,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(np.zeros(s, d), requires_grad, None)


def ones_like(
    input: Tensor,
    *,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(np.ones(s, d), requires_grad, None)


def empty_like(
    input: Tensor,
    *,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(np.empty(s, d), requires_grad, None)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(np.full(s, fill_value, d), requires_grad, None)


def rand_like(
    input: Tensor,
    *,
    generator: Any = None,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(_random.rng(generator).random(s).astype(d), requires_grad, None)


def randn_like(
    input: Tensor,
    *,
    generator: Any = None,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    s, d = _like(input, dtype, device)
    return _finish(_random.rng(generator).standard_normal(s).astype(d), requires_grad, None)


def randint_like(
    input: Tensor,
    low: int,
    high: Any = None,
    *,
    generator: Any = None,
    memory_format: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in [low, high) in ``input``'s shape (``randint_like(t, high)`` too)."""
    if high is None:
        low, high = 0, low
    s, d = _like(input, dtype, device)
    return _finish(_random.rng(generator).integers(low, high, s).astype(d), requires_grad, None)
