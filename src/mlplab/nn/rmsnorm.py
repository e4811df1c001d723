r"""``RMSNorm``: root-mean-square normalisation over the trailing ``normalized_shape`` axes.

y = x / \sqrt{mean(x^2) + \epsilon} * \gamma, the mean taken per sample over those axes. Unlike
LayerNorm it neither subtracts the mean nor adds a bias. ``eps`` None (PyTorch's default) is the
machine epsilon of the input's dtype. Built from differentiable tensor ops (the gradient is
autograd's); not a fused op.
"""

# ruff: noqa: A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Parameter, Tensor
from .module import Module

__all__ = ["RMSNorm"]


class RMSNorm(Module):
    """RMS normalisation (see the module docstring): ``normalized_shape`` an int or a tuple,
    ``eps`` None (the dtype's epsilon); ``elementwise_affine`` gives a learnable ``weight`` (ones)."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
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
        if elementwise_affine:
            self.weight = Parameter(Tensor._make(np.ones(self.normalized_shape, dtype=npd)))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """weight <- 1."""
        if self.weight is not None:
            self.weight._data.fill(1)

    def forward(self, input: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if tuple(input.shape[input.dim() - k :]) != self.normalized_shape or input.dim() < k:
            raise RuntimeError(
                f"Given normalized_shape={list(self.normalized_shape)}, expected input with shape "
                f"[*{', '.join(map(str, self.normalized_shape))}], but got input of size{list(input.shape)}"
            )
        eps = self.eps if self.eps is not None else float(np.finfo(input._data.dtype).eps)
        dims = tuple(range(-k, 0))
        y = input / ((input * input).mean(dims, keepdim=True) + eps).sqrt()
        return y * self.weight if self.weight is not None else y

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
