"""Comparisons and logical operators of ``Tensor``: results are bool tensors, never differentiated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor_base import TensorBase
from .arith import _raise_broadcast

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


class CompareMixin:
    """``< <= > >= == !=``, ``~ & |``, ``equal``, ``allclose``, ``isnan`` (mixed into ``Tensor``).

    ``__eq__`` returns a tensor, so ``__hash__`` is set back to identity hashing (tensors are dict
    keys and set members by identity, as in PyTorch)."""

    __slots__ = ()

    def _cmp(self, o: Any, op: Any) -> Tensor:
        b = o._data if isinstance(o, TensorBase) else o
        try:
            return self._make(np.asarray(op(self._data, b)))
        except ValueError:
            _raise_broadcast(self._data.shape, np.shape(b), op.__name__)
            raise

    def __lt__(self, other: Any) -> Tensor:
        return self._cmp(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._cmp(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._cmp(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._cmp(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(other, np.not_equal)

    def __invert__(self) -> Tensor:
        return self._make(~self._data)

    def __and__(self, other: Any) -> Tensor:
        return self._cmp(other, np.bitwise_and)

    def __or__(self, other: Any) -> Tensor:
        return self._cmp(other, np.bitwise_or)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def equal(self, other: Tensor) -> bool:
        """True when both have the same shape and elements."""
        return self._data.shape == other._data.shape and bool(np.array_equal(self._data, other._data))

    def allclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """True when |self - other| <= atol + rtol * |other| everywhere."""
        b = other._data if isinstance(other, TensorBase) else other
        return bool(np.allclose(self._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """Elementwise |self - other| <= atol + rtol * |other|."""
        b = other._data if isinstance(other, TensorBase) else other
        return self._make(np.isclose(self._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isinf(self) -> Tensor:
        return self._make(np.isinf(self._data))

    def isnan(self) -> Tensor:
        return self._make(np.isnan(self._data))

    def isfinite(self) -> Tensor:
        return self._make(np.isfinite(self._data))

    __hash__ = object.__hash__


def ambiguous(size: int) -> RuntimeError:
    """torch's error for ``bool(t)`` of a tensor of ``size`` != 1 elements."""
    many = "no values" if size == 0 else "more than one value"
    return RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
