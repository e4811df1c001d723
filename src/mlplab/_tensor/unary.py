"""Elementwise functions of ``Tensor``: exp, log, sqrt, tanh, sigmoid, relu, clamp, rounding,
softmax. Integer tensors are first converted to the default float dtype where PyTorch does so."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..autograd import grad_mode
from ..autograd.tensor_base import TensorBase
from ..ops import activation as A
from ..ops import elementwise as U
from ..ops import unary_special as S
from .shape import _one_dim
from .unary_math import UnaryMathMixin, _refuse_bool

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


class UnaryMixin(UnaryMathMixin):
    """Elementwise functions (mixed into ``Tensor``); the rarer ones are in :mod:`.unary_math`."""

    __slots__ = ()

    def _f(self) -> Tensor:
        return self if self._data.dtype.kind == "f" else self.type(_dtype.get_default_dtype())

    def exp(self) -> Tensor:
        return U.Exp.apply(self if self._data.dtype.kind == "f" else self._f())

    def log(self) -> Tensor:
        return U.Log.apply(self if self._data.dtype.kind == "f" else self._f())

    def sqrt(self) -> Tensor:
        return U.Sqrt.apply(self if self._data.dtype.kind == "f" else self._f())

    def abs(self) -> Tensor:
        if self._data.dtype.kind == "b":
            _refuse_bool(self, "abs_cpu")
        return U.Abs.apply(self)

    def sin(self) -> Tensor:
        return U.Sin.apply(self if self._data.dtype.kind == "f" else self._f())

    def cos(self) -> Tensor:
        return U.Cos.apply(self if self._data.dtype.kind == "f" else self._f())

    def tanh(self) -> Tensor:
        return U.Tanh.apply(self if self._data.dtype.kind == "f" else self._f())

    def sigmoid(self) -> Tensor:
        return A.Sigmoid.apply(self if self._data.dtype.kind == "f" else self._f())

    def relu(self) -> Tensor:
        return A.Relu.apply(self)

    def relu_(self) -> Tensor:
        """max(0, x) written into self, which is returned (recorded as PyTorch's relu_)."""
        return self._apply_(A.Relu.apply)  # type: ignore[attr-defined]

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """Limit values to [min, max]; the gradient is 1 inside the bounds (inclusive), 0 outside."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        for b in (min, max):
            if getattr(b, "_requires_grad", False) and grad_mode.state.enabled:
                raise RuntimeError(
                    "mlplab does not support clamp with a tensor bound that requires grad (its "
                    "gradient would be lost); use torch.maximum / torch.minimum"
                )
        if isinstance(min, TensorBase):  # a bound without grad: its array
            min = min._data  # noqa: A001
        if isinstance(max, TensorBase):
            max = max._data  # noqa: A001
        return U.Clamp.apply(self, min, max)

    clip = clamp

    # Piecewise-constant functions: their derivative is 0 almost everywhere; they are recorded
    # with a zero gradient, as PyTorch records them (``x.round().requires_grad`` is True, and the
    # straight-through ``(x.round() - x).detach() + x`` works either way). An integer tensor is
    # returned as a copy of itself.
    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise (zero gradient)."""
        if self._data.dtype.kind == "b":
            return self._make(self._data.copy())
        return S.Sign.apply(self)

    def round(self, *, decimals: int | None = None) -> Tensor:
        """Round half to even, to ``decimals`` decimal places (0 if None), as PyTorch (zero gradient)."""
        if self._data.dtype.kind != "f":
            _refuse_bool(self, "round_vml_cpu")
            return self._make(np.round(self._data, decimals or 0))
        return S.Round.apply(self, decimals)

    def floor(self) -> Tensor:
        """The largest integer <= x (zero gradient)."""
        if self._data.dtype.kind != "f":
            _refuse_bool(self, "floor_vml_cpu")
            return self._make(self._data.copy())
        return S.Floor.apply(self)

    def ceil(self) -> Tensor:
        """The smallest integer >= x (zero gradient)."""
        if self._data.dtype.kind != "f":
            _refuse_bool(self, "ceil_vml_cpu")
            return self._make(self._data.copy())
        return S.Ceil.apply(self)

    def softmax(self, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
        r"""softmax(x)_i = e^{x_i} / \sum_j e^{x_j} along ``dim`` (max-shifted: never overflows);
        ``dtype`` converts the input first; ``axis`` is NumPy's name for ``dim``."""
        x = self if dtype is None else self.type(dtype)
        return x._normalise_along(A.SoftmaxFn, dim if axis is None else axis)

    def log_softmax(self, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
        r"""log_softmax(x)_i = x_i - log \sum_j e^{x_j} along ``dim`` (max-shifted)."""
        x = self if dtype is None else self.type(dtype)
        return x._normalise_along(A.LogSoftmaxFn, dim if axis is None else axis)

    def _normalise_along(self, fn: type, dim: Any) -> Tensor:
        """Apply softmax or log_softmax (``fn``) along ``dim``; a 0-d tensor is one-element."""
        if dim is None:
            raise TypeError("softmax() missing 1 required positional argument: 'dim'")
        a = self._data
        if a.dtype.kind != "f":
            raise RuntimeError(
                f"input must be a floating-point tensor, got dtype {self.dtype.name} (convert with .float())"
            )
        if a.ndim == 0:
            return fn.apply(self.reshape(1), 0).reshape(())
        return fn.apply(self, _one_dim(int(dim), a.ndim))
