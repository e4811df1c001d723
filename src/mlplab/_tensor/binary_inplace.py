"""In-place forms of the binary elementwise methods (``atan2_``, ``ge_``, ``lerp_``,
``logical_and_`` ...): self <- f(self, other), written into self's dtype and shape.

They record as every in-place op does (:meth:`InplaceMixin._rebind`: out of place, self rebound,
views updated through ``CopySlices``); unrecorded, the result is written into self's array. A result
of a higher category than self's dtype (a float into an integer tensor) is refused as PyTorch
refuses it, and so is a result that broadcasts to another shape than self's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import arithmetic as B
from ..ops import binary as BO
from .arith import _CATEGORY
from .binary import BinaryMixin, type_name

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


class BinaryInplaceMixin(BinaryMixin):
    """The binary elementwise methods and, for each ``f`` that PyTorch has in place, ``f_``
    (mixed into ``Tensor``)."""

    __slots__ = ()

    def _into(self, fn: Callable[[Tensor], Tensor], *others: Any, graph: bool = True) -> Tensor:
        """self <- fn(self) in place, returning self. ``graph=False``: never recorded (torch's
        logical in-place ops change the values and leave self's node as it was)."""
        if graph and self._records(*others):
            r = fn(self._old())
            self._castable(r)
            if r.grad_fn is None:  # a comparison: the values are r's, no gradient reaches self
                old = self._old()
                r = B.Where.apply(self._make(np.ones(r._data.shape, np.bool_)), r.type(self.dtype), old)
            elif isinstance(r.grad_fn, BO.NotDifferentiable):
                r.grad_fn.aten += "_"  # torch names the in-place op: aten::heaviside_
            return self._rebind(r)
        else:
            r = fn(self)
            self._castable(r)
        if r._data.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(r._data.shape)}"
            )
        try:
            np.copyto(self._data, r._data, casting="unsafe")
        except ValueError as e:
            np.copyto(self._unwritable(e), r._data, casting="unsafe")
        return self._changed()

    def _castable(self, r: Tensor) -> None:
        have, want = r._data.dtype, self._data.dtype
        if _CATEGORY[have.kind] > _CATEGORY[want.kind]:
            raise RuntimeError(
                f"result type {type_name(have)} can't be cast to the desired output type {type_name(want)}"
            )

    def atan2_(self, other: Any) -> Tensor:
        """self <- self.atan2(other), in place."""
        return self._into(lambda t: t.atan2(other), other)

    def arctan2_(self, other: Any) -> Tensor:
        """self <- self.atan2(other), in place."""
        return self._into(lambda t: t.atan2(other), other)

    def hypot_(self, other: Any) -> Tensor:
        """self <- self.hypot(other), in place."""
        return self._into(lambda t: t.hypot(other), other)

    def copysign_(self, other: Any) -> Tensor:
        """self <- self.copysign(other), in place."""
        return self._into(lambda t: t.copysign(other), other)

    def fmod_(self, other: Any) -> Tensor:
        """self <- self.fmod(other), in place."""
        return self._into(lambda t: t.fmod(other), other)

    def remainder_(self, other: Any) -> Tensor:
        """self <- self.remainder(other), in place."""
        return self._into(lambda t: t.remainder(other), other)

    def floor_divide_(self, other: Any) -> Tensor:
        """self <- self.floor_divide(other), in place."""
        return self._into(lambda t: t.floor_divide(other), other)

    def true_divide_(self, other: Any) -> Tensor:
        """self <- self.div(other), in place."""
        return self._into(lambda t: t.div(other), other)

    def multiply_(self, other: Any) -> Tensor:
        """self <- self.mul(other), in place."""
        return self._into(lambda t: t.mul(other), other)

    def heaviside_(self, values: Any) -> Tensor:
        """self <- self.heaviside(values), in place."""
        return self._into(lambda t: t.heaviside(values), values)

    def xlogy_(self, other: Any) -> Tensor:
        """self <- self.xlogy(other), in place."""
        return self._into(lambda t: t.xlogy(other), other)

    def nextafter_(self, other: Any) -> Tensor:
        """self <- self.nextafter(other), in place."""
        return self._into(lambda t: t.nextafter(other), other)

    def ldexp_(self, other: Any) -> Tensor:
        """self <- self.ldexp(other), in place."""
        return self._into(lambda t: t.ldexp(other), other)

    def ge_(self, other: Any) -> Tensor:
        """self <- self.ge(other), in place."""
        return self._into(lambda t: t.ge(other), other)

    def gt_(self, other: Any) -> Tensor:
        """self <- self.gt(other), in place."""
        return self._into(lambda t: t.gt(other), other)

    def le_(self, other: Any) -> Tensor:
        """self <- self.le(other), in place."""
        return self._into(lambda t: t.le(other), other)

    def lt_(self, other: Any) -> Tensor:
        """self <- self.lt(other), in place."""
        return self._into(lambda t: t.lt(other), other)

    def eq_(self, other: Any) -> Tensor:
        """self <- self.eq(other), in place."""
        return self._into(lambda t: t.eq(other), other)

    def ne_(self, other: Any) -> Tensor:
        """self <- self.ne(other), in place."""
        return self._into(lambda t: t.ne(other), other)

    def greater_(self, other: Any) -> Tensor:
        """self <- self.gt(other), in place."""
        return self._into(lambda t: t.gt(other), other)

    def greater_equal_(self, other: Any) -> Tensor:
        """self <- self.ge(other), in place."""
        return self._into(lambda t: t.ge(other), other)

    def less_(self, other: Any) -> Tensor:
        """self <- self.lt(other), in place."""
        return self._into(lambda t: t.lt(other), other)

    def less_equal_(self, other: Any) -> Tensor:
        """self <- self.le(other), in place."""
        return self._into(lambda t: t.le(other), other)

    def not_equal_(self, other: Any) -> Tensor:
        """self <- self.ne(other), in place."""
        return self._into(lambda t: t.ne(other), other)

    def logical_and_(self, other: Any) -> Tensor:
        """self <- self.logical_and(other), in place."""
        return self._into(lambda t: t.logical_and(other), other, graph=False)

    def logical_or_(self, other: Any) -> Tensor:
        """self <- self.logical_or(other), in place."""
        return self._into(lambda t: t.logical_or(other), other, graph=False)

    def logical_xor_(self, other: Any) -> Tensor:
        """self <- self.logical_xor(other), in place."""
        return self._into(lambda t: t.logical_xor(other), other, graph=False)

    def bitwise_and_(self, other: Any) -> Tensor:
        """self <- self.bitwise_and(other), in place."""
        return self._into(lambda t: t.bitwise_and(other), other)

    def bitwise_or_(self, other: Any) -> Tensor:
        """self <- self.bitwise_or(other), in place."""
        return self._into(lambda t: t.bitwise_or(other), other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        """self <- self.bitwise_xor(other), in place."""
        return self._into(lambda t: t.bitwise_xor(other), other)

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self <- self / other (rounded as ``rounding_mode`` says), in place."""
        return self._into(lambda t: t.div(other, rounding_mode=rounding_mode), other)

    def subtract_(self, other: Any, *, alpha: float = 1) -> Tensor:
        """self <- self - alpha * other, in place."""
        return self._into(lambda t: t.sub(other, alpha=alpha), other)

    def float_power_(self, exponent: Any) -> Tensor:
        """self <- self ** exponent in float64, in place: self must be float64 (as PyTorch)."""
        if self._data.dtype != np.float64:
            raise RuntimeError(
                f"the base given to float_power_ has dtype {type_name(self._data.dtype)} but the "
                "operation's result requires dtype Double"
            )
        return self._into(lambda t: t.float_power(exponent), exponent)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        """self <- self + weight * (end - self), in place."""
        return self._into(lambda t: t.lerp(end, weight), end, weight)

    def logical_not_(self) -> Tensor:
        """self <- not self (0 or 1 in self's dtype), in place."""
        return self._into(lambda t: t.logical_not(), graph=False)

    def bitwise_not_(self) -> Tensor:
        """self <- ~self, in place (integers and bools)."""
        return self._into(lambda t: t.bitwise_not())
