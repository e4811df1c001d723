"""Activation modules: thin wrappers that call :mod:`mlplab.nn.functional.activation`.

Each module's docstring gives the function; the derivative sits with its ``Op``.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _device, _dtype
from ..autograd.tensor_base import bump_version
from ..tensor import Parameter, Tensor
from .functional import activation as A
from .module import Module

__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmin",
    "Softplus",
    "Tanh",
]


class Sigmoid(Module):
    r"""\sigma(x) = 1 / (1 + e^{-x}): squashes to (0, 1), the probability of the positive class."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class Tanh(Module):
    r"""tanh(x): squashes to (-1, 1), zero-centred."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class ReLU(Module):
    """max(0, x). ``inplace=True``: the input is overwritten and returned (PyTorch's relu_)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return input.relu_() if self.inplace else input.relu()

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """max(0, x) + negative_slope * min(0, x), negative_slope = 0.01 by default."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """LeakyReLU with a learnable slope: one shared (``num_parameters=1``) or one per channel
    (dimension 1), initialised to ``init`` = 0.25."""

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        _device.check(device)  # the CPU only: torch's CPU-build error otherwise
        self.num_parameters = int(num_parameters)
        self.init = init
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        self.weight = Parameter(Tensor._make(np.full(self.num_parameters, init, dtype=npd)))

    def reset_parameters(self) -> None:
        self.weight._data.fill(self.init)
        bump_version(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"

    def forward_parameter_copies(self, x: np.ndarray, copies: dict[str, np.ndarray]) -> np.ndarray:
        """PReLU of (K, N, C) input for K stacked slope copies at once (NumPy, no graph):
        ``copies["weight"]`` is (K, num_parameters)."""
        slope = copies["weight"][:, None, :]
        return np.where(x > 0, x, slope * x)


class SiLU(Module):
    r"""SiLU / Swish: x \sigma(x)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    r"""x for x > 0, \alpha (e^x - 1) otherwise (\alpha = 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    r"""x \Phi(x) (``approximate='tanh'``: 0.5 x (1 + tanh(\sqrt{2/\pi}(x + 0.044715 x^3))))."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return A.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    r"""(1/\beta) log(1 + e^{\beta x}), linear above ``threshold`` (\beta = 1, threshold = 20)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    r"""softmax along ``dim``: e^{x_i} / \sum_j e^{x_j}, outputs positive and summing to 1."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    r"""log softmax along ``dim``: x_i - log \sum_j e^{x_j} (pair with NLLLoss)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    r"""softmin along ``dim``: softmax(-x), e^{-x_i} / \sum_j e^{-x_j}."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    r"""Gated linear unit: a \sigma(b), a and b the halves of the input along ``dim`` (-1)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
