"""Arithmetic, elementwise functions, comparisons, ``where`` and ``clamp`` as top-level functions."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import arithmetic as B
from ..tensor import Tensor, _result_dtype
from ._common import as_tensor as _t
from ._common import public


def exp(input: Tensor) -> Tensor:
    return _t(input).exp()


def log(input: Tensor) -> Tensor:
    return _t(input).log()


def sqrt(input: Tensor) -> Tensor:
    return _t(input).sqrt()


def abs(input: Tensor) -> Tensor:
    return _t(input).abs()


def sin(input: Tensor) -> Tensor:
    return _t(input).sin()


def cos(input: Tensor) -> Tensor:
    return _t(input).cos()


def tanh(input: Tensor) -> Tensor:
    return _t(input).tanh()


def sigmoid(input: Tensor) -> Tensor:
    return _t(input).sigmoid()


def relu(input: Tensor) -> Tensor:
    return _t(input).relu()


def relu_(input: Tensor) -> Tensor:
    """max(0, x) in place: ``input`` itself is returned."""
    return input.relu_()


def neg(input: Tensor) -> Tensor:
    return -_t(input)


def square(input: Tensor) -> Tensor:
    return _t(input).square()


def sign(input: Tensor) -> Tensor:
    return input.sign()


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    return input.round(decimals=decimals)


def floor(input: Tensor) -> Tensor:
    return input.floor()


def ceil(input: Tensor) -> Tensor:
    return input.ceil()


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent (either may be a number)."""
    return _t(input) ** exponent if isinstance(input, Tensor) else exponent.__rpow__(input)


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha * other."""
    return _t(input).add(other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other."""
    return _t(input).sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    return _t(input) * other


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; ``rounding_mode`` "trunc" or "floor" rounds the quotient (not differentiated)."""
    return _t(input).div(other, rounding_mode=rounding_mode)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return input.clamp(min, max)


clip = clamp


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return input.maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return input.minimum(other)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    return input.matmul(other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.matmul(mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.bmm(mat2)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    return input.dot(tensor)


def is_floating_point(input: Tensor) -> bool:
    """True for a tensor of a floating dtype (float16/32/64)."""
    return input.is_floating_point()


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """Elementwise ``input if condition else other`` with broadcasting; differentiable in input and
    other. ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(c))
    if c.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {c.dtype}"
        )
    x, y = input, other
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


def eq(input: Tensor, other: Any) -> Tensor:
    return input == other


def ne(input: Tensor, other: Any) -> Tensor:
    return input != other


def lt(input: Tensor, other: Any) -> Tensor:
    return input < other


def le(input: Tensor, other: Any) -> Tensor:
    return input <= other


def gt(input: Tensor, other: Any) -> Tensor:
    return input > other


def ge(input: Tensor, other: Any) -> Tensor:
    return input >= other


def equal(input: Tensor, other: Tensor) -> bool:
    return input.equal(other)


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True when |input - other| <= atol + rtol * |other| everywhere."""
    return input.allclose(other, rtol, atol, equal_nan)


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other|."""
    return input.isclose(other, rtol, atol, equal_nan)


def isnan(input: Tensor) -> Tensor:
    return input.isnan()


def isinf(input: Tensor) -> Tensor:
    return input.isinf()


def isfinite(input: Tensor) -> Tensor:
    return input.isfinite()


def numel(input: Tensor) -> int:
    return input.numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return input.clone()


def softmax(input: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
    return input.softmax(dim, dtype, axis=axis)


def log_softmax(input: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
    return input.log_softmax(dim, dtype, axis=axis)


__all__ = public(globals(), __name__)
