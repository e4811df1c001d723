r"""``Bilinear``: y_k = x1^T W_k x2 + b_k, a learnable bilinear form per output feature (an
interaction layer for two inputs)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _device, _dtype
from ..tensor import Parameter, Tensor
from . import init
from .functional.bilinear import bilinear
from .module import Module

__all__ = ["Bilinear"]


class Bilinear(Module):
    r"""y = x1^T W x2 + b: W (out_features, in1_features, in2_features), b (out_features,).

    PyTorch's initialisation: W and b ~ U(-1/\sqrt{in1}, 1/\sqrt{in1}). Inputs (*, in1) and
    (*, in2) with the same batch dimensions give (*, out).
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(Tensor._make(np.empty(shape, dtype=npd)))
        if bias:
            self.bias = Parameter(Tensor._make(np.empty(out_features, dtype=npd)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""W, b ~ U(-1/\sqrt{in1}, 1/\sqrt{in1}), as PyTorch."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
