"""Binary elementwise functions (``torch.atan2``, ``torch.lerp``, ``torch.logical_and`` ...) and
torch's aliases of the arithmetic ones (``divide``, ``multiply``, ``greater`` ...). Each calls the
Tensor method of :mod:`mlplab._tensor.binary` that does the work; a number is accepted as the first
operand where torch accepts one (``torch.remainder(5, t)``, ``torch.xlogy(2, t)``)."""

from __future__ import annotations

from typing import Any

from .._tensor.binary import need_tensor
from ..tensor import Tensor
from ._common import as_tensor as _t
from ._common import public


def atan2(input: Any, other: Any) -> Tensor:
    """``input.atan2(other)``: see :meth:`Tensor.atan2`."""
    need_tensor("atan2", other, 2, "other")
    return _t(input).atan2(other)


def arctan2(input: Any, other: Any) -> Tensor:
    """``input.atan2(other)``: see :meth:`Tensor.atan2`."""
    need_tensor("arctan2", other, 2, "other")
    return _t(input).atan2(other)


def hypot(input: Any, other: Any) -> Tensor:
    """``input.hypot(other)``: see :meth:`Tensor.hypot`."""
    need_tensor("hypot", other, 2, "other")
    return _t(input).hypot(other)


def copysign(input: Any, other: Any) -> Tensor:
    """``input.copysign(other)``: see :meth:`Tensor.copysign`."""
    return _t(input).copysign(other)


def fmod(input: Any, other: Any) -> Tensor:
    """``input.fmod(other)``: see :meth:`Tensor.fmod`."""
    return _t(input).fmod(other)


def remainder(input: Any, other: Any) -> Tensor:
    """input - floor(input / other) * other: see :meth:`Tensor.remainder`. With a number as
    ``input``, torch does not differentiate it (backward raises its error)."""
    if isinstance(input, Tensor):
        return input.remainder(other)
    r = _t(other)._other(input).remainder(other)
    if r._requires_grad:
        return other._undifferentiated(other, r.detach()._data, "aten::remainder")
    return r


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input.floor_divide(other)``: see :meth:`Tensor.floor_divide`."""
    return _t(input).floor_divide(other)


def true_divide(input: Any, other: Any) -> Tensor:
    """``input.div(other)``: see :meth:`Tensor.div`."""
    return _t(input).div(other)


def multiply(input: Any, other: Any) -> Tensor:
    """``input.mul(other)``: see :meth:`Tensor.mul`."""
    return _t(input).mul(other)


def fmax(input: Any, other: Any) -> Tensor:
    """``input.fmax(other)``: see :meth:`Tensor.fmax`."""
    need_tensor("fmax", other, 2, "other")
    return _t(input).fmax(other)


def fmin(input: Any, other: Any) -> Tensor:
    """``input.fmin(other)``: see :meth:`Tensor.fmin`."""
    need_tensor("fmin", other, 2, "other")
    return _t(input).fmin(other)


def heaviside(input: Any, values: Any) -> Tensor:
    """``input.heaviside(values)``: see :meth:`Tensor.heaviside`."""
    need_tensor("heaviside", values, 2, "values")
    return _t(input).heaviside(values)


def logaddexp(input: Any, other: Any) -> Tensor:
    """``input.logaddexp(other)``: see :meth:`Tensor.logaddexp`."""
    need_tensor("logaddexp", other, 2, "other")
    return _t(input).logaddexp(other)


def logaddexp2(input: Any, other: Any) -> Tensor:
    """``input.logaddexp2(other)``: see :meth:`Tensor.logaddexp2`."""
    need_tensor("logaddexp2", other, 2, "other")
    return _t(input).logaddexp2(other)


def nextafter(input: Any, other: Any) -> Tensor:
    """``input.nextafter(other)``: see :meth:`Tensor.nextafter`."""
    need_tensor("nextafter", other, 2, "other")
    return _t(input).nextafter(other)


def ldexp(input: Any, other: Any) -> Tensor:
    """``input.ldexp(other)``: see :meth:`Tensor.ldexp`."""
    need_tensor("ldexp", other, 2, "other")
    return _t(input).ldexp(other)


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input.float_power(exponent)``: see :meth:`Tensor.float_power`."""
    return (
        _t(input).float_power(exponent)
        if isinstance(input, Tensor)
        else _t(exponent)._other(input).float_power(exponent)
    )


def greater(input: Any, other: Any) -> Tensor:
    """``input.gt(other)``: see :meth:`Tensor.gt`."""
    return _t(input).gt(other)


def greater_equal(input: Any, other: Any) -> Tensor:
    """``input.ge(other)``: see :meth:`Tensor.ge`."""
    return _t(input).ge(other)


def less(input: Any, other: Any) -> Tensor:
    """``input.lt(other)``: see :meth:`Tensor.lt`."""
    return _t(input).lt(other)


def less_equal(input: Any, other: Any) -> Tensor:
    """``input.le(other)``: see :meth:`Tensor.le`."""
    return _t(input).le(other)


def not_equal(input: Any, other: Any) -> Tensor:
    """``input.ne(other)``: see :meth:`Tensor.ne`."""
    return _t(input).ne(other)


def logical_and(input: Any, other: Any) -> Tensor:
    """``input.logical_and(other)``: see :meth:`Tensor.logical_and`."""
    need_tensor("logical_and", other, 2, "other")
    return _t(input).logical_and(other)


def logical_or(input: Any, other: Any) -> Tensor:
    """``input.logical_or(other)``: see :meth:`Tensor.logical_or`."""
    need_tensor("logical_or", other, 2, "other")
    return _t(input).logical_or(other)


def logical_xor(input: Any, other: Any) -> Tensor:
    """``input.logical_xor(other)``: see :meth:`Tensor.logical_xor`."""
    need_tensor("logical_xor", other, 2, "other")
    return _t(input).logical_xor(other)


def bitwise_and(input: Any, other: Any) -> Tensor:
    """``input.bitwise_and(other)``: see :meth:`Tensor.bitwise_and`."""
    return (
        _t(input).bitwise_and(other)
        if isinstance(input, Tensor)
        else _t(other)._other(input).bitwise_and(other)
    )


def bitwise_or(input: Any, other: Any) -> Tensor:
    """``input.bitwise_or(other)``: see :meth:`Tensor.bitwise_or`."""
    return (
        _t(input).bitwise_or(other)
        if isinstance(input, Tensor)
        else _t(other)._other(input).bitwise_or(other)
    )


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """``input.bitwise_xor(other)``: see :meth:`Tensor.bitwise_xor`."""
    return (
        _t(input).bitwise_xor(other)
        if isinstance(input, Tensor)
        else _t(other)._other(input).bitwise_xor(other)
    )


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input == 0: see :meth:`Tensor.xlogy`."""
    if isinstance(input, Tensor):
        return input.xlogy(other)
    if not isinstance(other, Tensor):
        raise TypeError(
            f"xlogy() received an invalid combination of arguments - got ({type(input).__name__}, "
            f"{type(other).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Number self, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    return other._other(input).xlogy(other)


def divide(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other, rounded as ``rounding_mode`` says (None, "trunc", "floor")."""
    return _t(input).div(other, rounding_mode=rounding_mode)


def subtract(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other."""
    return _t(input).sub(other, alpha=alpha)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input): see :meth:`Tensor.lerp`."""
    return input.lerp(end, weight)


def logical_not(input: Tensor) -> Tensor:
    return input.logical_not()


def bitwise_not(input: Tensor) -> Tensor:
    return input.bitwise_not()


__all__ = public(globals(), __name__)
