"""Top-level functions (``mlplab.exp``, ``mlplab.cat`` ...) mirroring the Tensor methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from .ops import arithmetic as B
from .ops import shape as S
from .tensor import Tensor, _one_dim, _result_dtype, _to_array


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._make(_to_array(x, None))


def exp(x: Tensor) -> Tensor:
    return _t(x).exp()


def log(x: Tensor) -> Tensor:
    return _t(x).log()


def sqrt(x: Tensor) -> Tensor:
    return _t(x).sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    return _t(x).abs()


def sin(x: Tensor) -> Tensor:
    return _t(x).sin()


def cos(x: Tensor) -> Tensor:
    return _t(x).cos()


def tanh(x: Tensor) -> Tensor:
    return _t(x).tanh()


def sigmoid(x: Tensor) -> Tensor:
    return _t(x).sigmoid()


def relu(x: Tensor) -> Tensor:
    return _t(x).relu()


def neg(x: Tensor) -> Tensor:
    return -_t(x)


def square(x: Tensor) -> Tensor:
    return _t(x).square()


def pow(x: Any, p: Any) -> Tensor:  # noqa: A001
    return _t(x) ** p if isinstance(x, Tensor) else p.__rpow__(x)


def add(x: Any, y: Any, alpha: float = 1) -> Tensor:
    return _t(x).add(y, alpha=alpha)


def sub(x: Any, y: Any, alpha: float = 1) -> Tensor:
    return _t(x).sub(y, alpha=alpha)


def mul(x: Any, y: Any) -> Tensor:
    return _t(x) * y


def div(x: Any, y: Any) -> Tensor:
    return _t(x) / y


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return x.clamp(min, max)


clip = clamp


def maximum(x: Tensor, y: Tensor) -> Tensor:
    return x.maximum(y)


def minimum(x: Tensor, y: Tensor) -> Tensor:
    return x.minimum(y)


def matmul(x: Tensor, y: Tensor) -> Tensor:
    return x.matmul(y)


mm = matmul


def where(cond: Any, x: Any, y: Any) -> Tensor:
    """Elementwise ``x if cond else y`` with broadcasting; differentiable in x and y."""
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    if c.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {c.dtype}"
        )
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        x = y._other(x)
    x = _t(x)
    y = x._other(y)
    if x._data.dtype != y._data.dtype:
        dt = _result_dtype(x._data, y._data)
        x, y = x.type(dt), y.type(dt)
    try:
        return B.Where.apply(Tensor._make(c), x, y)
    except ValueError:
        raise RuntimeError(
            f"where: shapes {tuple(c.shape)}, {tuple(x.shape)} and {tuple(y.shape)} do not broadcast"
        ) from None


def _same_dtype(ts: list[Tensor]) -> list[Tensor]:
    dts = {t._data.dtype for t in ts}
    if len(dts) == 1:
        return ts
    dt = ts[0]._data.dtype
    for t in ts[1:]:
        dt = _result_dtype(np.empty(1, dt), np.empty(1, t._data.dtype))
    return [t.type(dt) for t in ts]


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Concatenate along an existing dimension; other dimensions must agree."""
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


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dimension."""
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


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A001
    return x.sum(dim, keepdim, dtype=dtype)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return x.mean(dim, keepdim, dtype=dtype)


def var(
    x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
) -> Tensor:
    return x.var(dim, unbiased, keepdim, correction=correction)


def std(
    x: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
) -> Tensor:
    return x.std(dim, unbiased, keepdim, correction=correction)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return x.max(dim, keepdim)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return x.min(dim, keepdim)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.amax(dim, keepdim)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.amin(dim, keepdim)


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return x.logsumexp(dim, keepdim)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.norm(p, dim, keepdim)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return x.argmax(dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return x.argmin(dim, keepdim)


def eq(x: Tensor, y: Any) -> Tensor:
    return x == y


def ne(x: Tensor, y: Any) -> Tensor:
    return x != y


def lt(x: Tensor, y: Any) -> Tensor:
    return x < y


def le(x: Tensor, y: Any) -> Tensor:
    return x <= y


def gt(x: Tensor, y: Any) -> Tensor:
    return x > y


def ge(x: Tensor, y: Any) -> Tensor:
    return x >= y


def all(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.all(dim, keepdim)


def any(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.any(dim, keepdim)


def equal(x: Tensor, y: Tensor) -> bool:
    return x.equal(y)


def allclose(x: Tensor, y: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return x.allclose(y, rtol, atol)


def isnan(x: Tensor) -> Tensor:
    return x.isnan()


def isfinite(x: Tensor) -> Tensor:
    return x.isfinite()


def reshape(x: Tensor, shape: Any) -> Tensor:
    return x.reshape(shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return x.transpose(dim0, dim1)


def permute(x: Tensor, dims: Any) -> Tensor:
    return x.permute(dims)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return x.unsqueeze(dim)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    return x.squeeze(dim)


def numel(x: Tensor) -> int:
    return x.numel()


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def clone(x: Tensor) -> Tensor:
    return x.clone()


def sign(x: Tensor) -> Tensor:
    return x.sign()


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    return x.round(decimals)


def floor(x: Tensor) -> Tensor:
    return x.floor()


def ceil(x: Tensor) -> Tensor:
    return x.ceil()


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    return x.gather(dim, index)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    return x.masked_fill(mask, value)


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


# Everything defined above without a leading underscore (aliases such as ``clip`` included): the
# names ``from ._functions import *`` puts into the ``mlplab`` namespace.
__all__ = sorted(
    name
    for name, value in list(globals().items())
    if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == __name__
)
