r"""Smooth activation modules: SELU, CELU, Mish, LogSigmoid, Softsign, Tanhshrink.

Thin wrappers over :mod:`mlplab.nn.functional.activation`; the derivatives sit with their ops in
:mod:`mlplab.ops.activation_smooth`. ``inplace=True``, as in PyTorch, overwrites the input and
returns it.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from ..tensor import Tensor
from .functional import activation as A
from .module import Module

__all__ = ["CELU", "LogSigmoid", "Mish", "SELU", "Softsign", "Tanhshrink"]


class _InplaceFlag(Module):
    """An activation with PyTorch's ``inplace`` flag (True: the input is overwritten and returned)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SELU(_InplaceFlag):
    r"""s (max(0, x) + min(0, \alpha (e^x - 1))), \alpha = 1.6733, s = 1.0507 (self-normalising;
    pair with ``kaiming_normal_(nonlinearity='linear')`` / LeCun-normal weights)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.selu(input, self.inplace)


class Mish(_InplaceFlag):
    """x tanh(softplus(x))."""

    def forward(self, input: Tensor) -> Tensor:
        return A.mish(input, self.inplace)


class CELU(Module):
    r"""max(0, x) + min(0, \alpha (e^{x/\alpha} - 1)), \alpha = 1."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class LogSigmoid(Module):
    r"""log \sigma(x) = -softplus(-x)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.tanhshrink(input)
