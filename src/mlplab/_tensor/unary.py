"""Elementwise functions of ``Tensor``: exp, log, sqrt, tanh, sigmoid, relu, clamp, rounding,
softmax. Integer tensors are first converted to the default float dtype where PyTorch does so."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..ops import unary as U

# mlplab.tensor binds its Tensor class here once the class exists (see the package docstring). An
# assignment, not an import: CPython compiles ``Tensor._make(...)`` on an imported name as an
# attribute load instead of a method call, which is slower on the hot path.
Tensor: Any = None


class UnaryMixin:
    """Elementwise functions (mixed into ``Tensor``)."""

    __slots__ = ()

    def _f(self) -> Tensor:
        return self if self._data.dtype.kind == "f" else self.type(_dtype.get_default_dtype())

    def exp(self) -> Tensor:
        return U.Exp.apply1(self if self._data.dtype.kind == "f" else self._f())

    def log(self) -> Tensor:
        return U.Log.apply1(self if self._data.dtype.kind == "f" else self._f())

    def sqrt(self) -> Tensor:
        return U.Sqrt.apply1(self if self._data.dtype.kind == "f" else self._f())

    def abs(self) -> Tensor:
        return U.Abs.apply1(self)

    def sin(self) -> Tensor:
        return U.Sin.apply1(self if self._data.dtype.kind == "f" else self._f())

    def cos(self) -> Tensor:
        return U.Cos.apply1(self if self._data.dtype.kind == "f" else self._f())

    def tanh(self) -> Tensor:
        return U.Tanh.apply1(self if self._data.dtype.kind == "f" else self._f())

    def sigmoid(self) -> Tensor:
        return U.Sigmoid.apply1(self if self._data.dtype.kind == "f" else self._f())

    def relu(self) -> Tensor:
        return U.Relu.apply1(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """Limit values to [min, max]; the gradient is 1 inside the bounds (inclusive), 0 outside."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return U.Clamp.apply1(self, min, max)

    clip = clamp

    # Piecewise-constant functions: their derivative is 0 almost everywhere, so the result is
    # not recorded in the graph (PyTorch records a zero gradient; the leaves' grads agree).
    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise (not differentiated)."""
        return Tensor._make(np.sign(self._data))

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even, as PyTorch (not differentiated)."""
        return Tensor._make(np.round(self._data, decimals))

    def floor(self) -> Tensor:
        return Tensor._make(np.floor(self._data))

    def ceil(self) -> Tensor:
        return Tensor._make(np.ceil(self._data))

    def softmax(self, dim: int) -> Tensor:
        from ..nn import functional as F

        return F.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        from ..nn import functional as F

        return F.log_softmax(self, dim)
