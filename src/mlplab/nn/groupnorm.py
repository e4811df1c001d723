r"""``GroupNorm``: normalisation over groups of channels, per sample.

The C channels are split into G groups of C/G; each sample's group is normalised with its own
mean and biased variance: x_hat = (x - \mu_g) / \sqrt{\sigma_g^2 + \epsilon}, then
y = \gamma_c x_hat + \beta_c per channel. Inputs (N, C) or (N, C, *). G = 1 is LayerNorm over all
channels, G = C normalises each channel alone. Built from differentiable tensor ops (the gradient
is autograd's); not a fused op.
"""

# ruff: noqa: A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Parameter, Tensor
from .module import Module

__all__ = ["GroupNorm"]


class GroupNorm(Module):
    """Group normalisation (see the module docstring): ``num_groups`` must divide ``num_channels``;
    ``eps`` = 1e-5; ``affine`` gives a learnable per-channel ``weight`` (ones) and ``bias`` (zeros)."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        if affine:
            self.weight = Parameter(Tensor._make(np.ones(num_channels, dtype=npd)))
            if bias:
                self.bias = Parameter(Tensor._make(np.zeros(num_channels, dtype=npd)))
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
        shape = tuple(input.shape)
        if input.dim() < 2 or shape[1] != self.num_channels:
            raise RuntimeError(
                f"Expected number of channels in input to be divisible by num_groups, but got input "
                f"of shape {list(shape)} and num_groups={self.num_groups}"
            )
        x = input.reshape(shape[0], self.num_groups, -1)
        mean = x.mean(-1, keepdim=True)
        centred = x - mean
        var = (centred * centred).mean(-1, keepdim=True)
        y = (centred / (var + self.eps).sqrt()).reshape(shape)
        per_channel = (1, self.num_channels) + (1,) * (len(shape) - 2)
        if self.weight is not None:
            y = y * self.weight.reshape(per_channel)
        if self.bias is not None:
            y = y + self.bias.reshape(per_channel)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
