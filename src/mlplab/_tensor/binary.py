"""Binary elementwise methods of ``Tensor`` beyond the operators: atan2, hypot, copysign, fmod,
remainder, floor_divide, float_power, fmax/fmin, heaviside, logaddexp(2), xlogy, lerp, nextafter,
ldexp, the logical and bitwise functions, torch's aliases (divide, multiply, greater, ...) and the
in-place forms (``atan2_``, ``ge_`` ...). Differentiable ones call :mod:`mlplab.ops.binary`.

Operands are promoted as PyTorch promotes them (:func:`_result_dtype`); the functions PyTorch
computes in floating point (atan2, copysign, xlogy ...) turn an integer result type into the
default float dtype. An in-place form writes the result into self's dtype, and refuses a result of
a higher category (float into an integer tensor), with PyTorch's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..autograd import grad_mode
from ..autograd.tensor_base import TensorBase
from ..ops import arithmetic as B
from ..ops import binary as BO
from .arith import _raise_broadcast, _result_dtype
from .matrix_norm import _TYPE_NAMES

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor

_gstate = grad_mode.state
_NAMES = {**_TYPE_NAMES, "float16": "Half", "float32": "Float", "float64": "Double"}


def type_name(dt: np.dtype) -> str:
    """PyTorch's scalar-type name of a NumPy dtype (``Float``, ``Long`` ...)."""
    return _NAMES.get(np.dtype(dt).name, str(dt))


def need_tensor(fn: str, o: Any, position: int, name: str = "other") -> None:
    """PyTorch's TypeError for a Python number where its signature takes only a Tensor."""
    if not isinstance(o, TensorBase):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(o).__name__}"
        )


def _kernel_dtype(fn: str, dt: np.dtype, kinds: str, suffix: str = "_cpu") -> None:
    if dt.kind not in kinds:
        raise NotImplementedError(f"\"{fn}{suffix}\" not implemented for '{type_name(dt)}'")


class BinaryMixin:
    """The binary elementwise methods (mixed into ``Tensor``)."""

    __slots__ = ()

    def _pair(self, other: Any, floating: bool = False) -> tuple[Tensor, Tensor]:
        """self and other promoted to one dtype (the default float for ``floating`` functions)."""
        o = self._other(other)
        dt = _result_dtype(self._data, o._data)
        if floating and dt.kind != "f":
            dt = _dtype.default_np()
        a = self if self._data.dtype == dt else self.type(dt)
        b = o if o._data.dtype == dt else o.type(dt)
        return a, b

    def _op2(self, fn: type, other: Any, name: str, floating: bool = False, kinds: str = "biuf") -> Tensor:
        a, b = self._pair(other, floating)
        _kernel_dtype(name, a._data.dtype, kinds)
        try:
            return fn.apply(a, b)
        except ValueError:
            _raise_broadcast(a._data.shape, b._data.shape, name)
            raise

    def _undifferentiated(self, other: Any, value: np.ndarray, aten: str) -> Tensor:
        """``value`` as the result of an op PyTorch does not differentiate: it requires grad when an
        input does, and backward raises PyTorch's error."""
        return BO.NotDifferentiable.apply(self, self._other(other), value, aten)

    # ------------------------------------------------------------------ differentiable
    def atan2(self, other: Tensor) -> Tensor:
        """atan2(self, other): the angle of (other, self); d/dself = other / r^2, d/dother = -self / r^2."""
        need_tensor("atan2", other, 1)
        return self._op2(BO.Atan2, other, "atan2", floating=True)

    arctan2 = atan2

    def hypot(self, other: Tensor) -> Tensor:
        """sqrt(self^2 + other^2) (floating dtypes only, as PyTorch)."""
        need_tensor("hypot", other, 1)
        return self._op2(BO.Hypot, other, "hypot", kinds="f")

    def copysign(self, other: Any) -> Tensor:
        """|self| with other's sign; the gradient reaches self only (sign(self) * sign(result))."""
        return self._op2(BO.Copysign, other, "copysign", floating=True)

    def fmod(self, other: Any) -> Tensor:
        """self - trunc(self / other) * other (C's fmod: the dividend's sign)."""
        return self._op2(BO.Fmod, other, "fmod")

    def remainder(self, other: Any) -> Tensor:
        """self - floor(self / other) * other (Python's %: the divisor's sign)."""
        return self._op2(BO.Remainder, other, "remainder")

    def logaddexp(self, other: Tensor) -> Tensor:
        """log(exp(self) + exp(other)), without overflow."""
        need_tensor("logaddexp", other, 1)
        return self._op2(BO.LogAddExp, other, "logaddexp", kinds="f")

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log2(2^self + 2^other), without overflow."""
        need_tensor("logaddexp2", other, 1)
        return self._op2(BO.LogAddExp2, other, "logaddexp2", kinds="f")

    def xlogy(self, other: Any) -> Tensor:
        """self * log(other), 0 where self == 0 (unless other is NaN)."""
        return self._op2(BO.Xlogy, other, "xlogy", floating=True)

    def nextafter(self, other: Tensor) -> Tensor:
        """The next representable float after self in the direction of other."""
        need_tensor("nextafter", other, 1)
        return self._op2(BO.Nextafter, other, "nextafter", kinds="f")

    def fmax(self, other: Tensor) -> Tensor:
        """The larger of self and other, ignoring NaN (NaN only where both are); ties go to self."""
        need_tensor("fmax", other, 1)
        a, b = self._pair(other)
        return a._pick(b, (a._data >= b._data) | np.isnan(b._data), "fmax")

    def fmin(self, other: Tensor) -> Tensor:
        """The smaller of self and other, ignoring NaN (NaN only where both are); ties go to self."""
        need_tensor("fmin", other, 1)
        a, b = self._pair(other)
        return a._pick(b, (a._data <= b._data) | np.isnan(b._data), "fmin")

    def _pick(self, other: Tensor, mask: Any, name: str) -> Tensor:
        try:
            return B.Where.apply(self._make(np.asarray(mask)), self, other)
        except ValueError:
            _raise_broadcast(self._data.shape, other._data.shape, name)
            raise

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent in float64 (both operands become double first)."""
        e = exponent.double() if isinstance(exponent, TensorBase) else exponent
        return self.double() ** e

    def ldexp(self, other: Tensor) -> Tensor:
        """self * 2^other; d/dself = 2^other, d/dother = self 2^other ln 2.

        PyTorch's gradient for self with an integer ``other`` uses an integer power, which is 0
        for a negative exponent; mlplab gives the true derivative 2^other there."""
        need_tensor("ldexp", other, 1)
        return self * (2.0**other)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """self + weight * (end - self), computed as PyTorch does: for |weight| >= 0.5 as
        end - (end - self) * (1 - weight), exact at weight == 1."""
        need_tensor("lerp", end, 1, "end")
        dt = self._data.dtype
        _kernel_dtype(
            "lerp_kernel_scalar" if not isinstance(weight, TensorBase) else "lerp_kernel_tensor", dt, "f", ""
        )
        if end._data.dtype != dt:
            raise RuntimeError(
                f"expected dtype {type_name(dt).lower()} for `end` but got dtype "
                f"{type_name(end._data.dtype).lower()}"
            )
        diff = end - self
        if not isinstance(weight, TensorBase):
            return self + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)
        if weight._data.dtype != dt:
            raise RuntimeError(
                f"expected dtype {type_name(dt).lower()} for `weight` but got dtype "
                f"{type_name(weight._data.dtype).lower()}"
            )
        small = np.abs(weight._data) < 0.5
        return B.Where.apply(self._make(small), self + weight * diff, end - diff * (1 - weight))

    # ------------------------------------------------------------------ not differentiated
    def floor_divide(self, other: Any) -> Tensor:
        """floor(self / other); not differentiable (backward raises PyTorch's error)."""
        r = self.div(other, rounding_mode="floor")
        if _gstate.enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._undifferentiated(other, r._data, "aten::floor_divide")
        return r

    def heaviside(self, values: Tensor) -> Tensor:
        """0 where self < 0, ``values`` where self == 0, 1 where self > 0 (NaN counts as < 0)."""
        need_tensor("heaviside", values, 1, "values")
        if values._data.dtype != self._data.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
        x, v = self._data, values._data
        try:
            r = np.where(x == 0, v, (x > 0).astype(x.dtype)).astype(x.dtype)
        except ValueError:
            _raise_broadcast(x.shape, v.shape, "heaviside")
            raise
        if self._requires_grad or values._requires_grad:
            return self._undifferentiated(values, r, "aten::heaviside")
        return self._make(r)

    def logical_not(self) -> Tensor:
        return self._make(np.logical_not(self._data))

    def _logical(self, other: Any, fn: Callable, name: str) -> Tensor:
        need_tensor(name, other, 1)
        try:
            return self._make(fn(self._data, other._data))
        except ValueError:
            _raise_broadcast(self._data.shape, other._data.shape, name)
            raise

    def logical_and(self, other: Tensor) -> Tensor:
        return self._logical(other, np.logical_and, "logical_and")

    def logical_or(self, other: Tensor) -> Tensor:
        return self._logical(other, np.logical_or, "logical_or")

    def logical_xor(self, other: Tensor) -> Tensor:
        return self._logical(other, np.logical_xor, "logical_xor")

    def _bitwise(self, other: Any, fn: Callable, name: str) -> Tensor:
        a, b = self._pair(other)
        _kernel_dtype(name, a._data.dtype, "biu")
        try:
            return self._make(fn(a._data, b._data))
        except ValueError:
            _raise_broadcast(a._data.shape, b._data.shape, name)
            raise

    def bitwise_and(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_and, "bitwise_and")

    def bitwise_or(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_or, "bitwise_or")

    def bitwise_xor(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_xor, "bitwise_xor")

    def bitwise_not(self) -> Tensor:
        _kernel_dtype("bitwise_not", self._data.dtype, "biu")
        return self._make(np.invert(self._data))

    # ------------------------------------------------------------------ torch's aliases
    def true_divide(self, other: Any) -> Tensor:
        return self.div(other)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self.div(other, rounding_mode=rounding_mode)

    def multiply(self, other: Any) -> Tensor:
        return self.mul(other)

    def subtract(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self.sub(other, alpha=alpha)

    def greater(self, other: Any) -> Tensor:
        return self.gt(other)

    def greater_equal(self, other: Any) -> Tensor:
        return self.ge(other)

    def less(self, other: Any) -> Tensor:
        return self.lt(other)

    def less_equal(self, other: Any) -> Tensor:
        return self.le(other)

    def not_equal(self, other: Any) -> Tensor:
        return self.ne(other)
