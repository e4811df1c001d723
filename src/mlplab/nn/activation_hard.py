"""Piecewise-linear activation modules: Hardtanh, ReLU6, Hardsigmoid, Hardswish, Threshold.

Thin wrappers over :mod:`mlplab.nn.functional.activation`; the derivatives sit with their ops in
:mod:`mlplab.ops.activation_piecewise`. ``inplace=True``, as in PyTorch, overwrites the input and
returns it.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import warnings

from ..tensor import Tensor
from .functional import activation as A
from .module import Module

__all__ = ["Hardsigmoid", "Hardswish", "Hardtanh", "ReLU6", "Threshold"]


def _inplace_repr(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class Threshold(Module):
    """x if x > threshold else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_repr(self.inplace)}"


class Hardtanh(Module):
    """clamp(x, min_val, max_val), defaults -1 and 1 (``min_value``/``max_value``: deprecated names)."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn(
                "keyword argument `min_value` is deprecated and renamed to `min_val`",
                FutureWarning,
                stacklevel=2,
            )
            min_val = min_value
        if max_value is not None:
            warnings.warn(
                "keyword argument `max_value` is deprecated and renamed to `max_val`",
                FutureWarning,
                stacklevel=2,
            )
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input: Tensor) -> Tensor:
        return A.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(0, x), 6): Hardtanh on [0, 6]."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(Module):
    """relu6(x + 3) / 6 (its repr omits ``inplace``, as PyTorch's)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.hardsigmoid(input, self.inplace)


class Hardswish(Hardsigmoid):
    """x relu6(x + 3) / 6."""

    def forward(self, input: Tensor) -> Tensor:
        return A.hardswish(input, self.inplace)
