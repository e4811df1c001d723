r"""``LayerNorm``: normalisation over the trailing ``normalized_shape`` axes of each sample.

x_hat = (x - \mu) / \sqrt{\sigma^2 + \epsilon},  y = \gamma x_hat + \beta, the statistics (biased
variance) taken per sample over those axes. Unlike batch norm it keeps no running statistics and
computes the same in training and evaluation, whatever the batch size.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Parameter, Tensor
from .functional.layers import layer_norm
from .module import Module

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """Layer normalisation (see the module docstring): ``normalized_shape`` an int or a tuple,
    ``eps`` = 1e-5; ``elementwise_affine`` gives a learnable ``weight`` (ones) and, with ``bias``,
    a learnable ``bias`` (zeros), both of shape ``normalized_shape``."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        shape = self.normalized_shape
        if elementwise_affine:
            self.weight = Parameter(Tensor._make(np.ones(shape, dtype=npd)))
            if bias:
                self.bias = Parameter(Tensor._make(np.zeros(shape, dtype=npd)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """weight <- 1, bias <- 0."""
        if self.weight is not None:
            self.weight._data.fill(1)
        if self.bias is not None:
            self.bias._data.fill(0)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
