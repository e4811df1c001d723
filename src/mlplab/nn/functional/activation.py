r"""Activation functions, functional form: check the arguments, call the op in
:mod:`mlplab.ops.activation` (where each derivative is written next to its forward)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import warnings
from typing import Any

from ...ops.activation import (
    EluFn,
    GeluFn,
    GluFn,
    LeakyReluFn,
    LogSoftmaxFn,
    PReluFn,
    SiluFn,
    SoftmaxFn,
    SoftminFn,
    SoftplusFn,
)
from ...ops.activation_piecewise import HardsigmoidFn, HardswishFn, HardtanhFn, ThresholdFn
from ...ops.activation_smooth import (
    SELU_ALPHA,
    SELU_SCALE,
    LogSigmoidFn,
    MishFn,
    ScaledEluFn,
    SoftsignFn,
    TanhshrinkFn,
)
from ...tensor import Tensor, _one_dim
from ._util import float_input


# --------------------------------------------------------------------------- elementwise
def sigmoid(input: Tensor) -> Tensor:
    r"""\sigma(x) = 1 / (1 + e^{-x});  \sigma' = \sigma (1 - \sigma)  (at most 1/4: why deep sigmoid nets
    suffer vanishing gradients)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    r"""tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x}) = 2\sigma(2x) - 1;  tanh' = 1 - tanh^2 (at most 1)."""
    return input.tanh()


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""relu(x) = max(0, x);  derivative 1 for x > 0, 0 otherwise (PyTorch's choice at 0).

    ``inplace=True`` writes the result into ``input`` and returns it (recorded as PyTorch's relu_).
    """
    if inplace:
        return input.relu_()
    return input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""LeakyReLU(x) = max(0, x) + a min(0, x), a = ``negative_slope`` (default 0.01): negative inputs keep
    a small gradient a, so units cannot "die" as with ReLU."""
    a = float(negative_slope)
    if inplace:
        return float_input(input)._apply_(lambda t: LeakyReluFn.apply(t, a), "LeakyReluBackward1")
    return LeakyReluFn.apply(float_input(input), a)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    r"""PReLU(x) = max(0, x) + w min(0, x) with a learnable slope ``weight`` (one per channel, channel =
    dim 1, or a single shared one). dL/dw sums g x over the negative inputs of that channel."""
    x = float_input(input)
    n = weight._data.size
    if n != 1:
        c = x._data.shape[1] if x._data.ndim >= 2 else 1
        if c != n:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} "
                f"and channel size = {c}."
            )
    return PReluFn.apply(x, weight)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""SiLU / Swish: x \sigma(x). Smooth, non-monotonic near 0, ~ReLU for large |x|."""
    if inplace:
        return float_input(input)._apply_(SiluFn.apply)
    return SiluFn.apply(float_input(input))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""ELU(x) = x for x > 0, \alpha (e^x - 1) otherwise (default \alpha = 1): saturates to -\alpha."""
    a = float(alpha)
    if inplace:
        return float_input(input)._apply_(lambda t: EluFn.apply(t, a), "EluBackward1")
    return EluFn.apply(float_input(input), a)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""GELU(x) = x \Phi(x) (\Phi the standard normal CDF); ``approximate='tanh'`` uses
    0.5 x (1 + tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return GeluFn.apply(float_input(input), approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Softplus(x) = (1/\beta) log(1 + e^{\beta x}), a smooth ReLU; linear where \beta x > ``threshold``
    (defaults \beta = 1, threshold = 20). Its derivative is \sigma(\beta x)."""
    return SoftplusFn.apply(float_input(input), float(beta), float(threshold))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Hardtanh(x) = clamp(x, min_val, max_val) (defaults -1, 1): tanh's piecewise-linear cousin;
    derivative 1 strictly inside, 0 outside and at the kinks."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    lo, hi = float(min_val), float(max_val)
    if inplace:
        return float_input(input)._apply_(lambda t: HardtanhFn.apply(t, lo, hi))
    return HardtanhFn.apply(float_input(input), lo, hi)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    r"""ReLU6(x) = min(max(0, x), 6) = hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Hardsigmoid(x) = relu6(x + 3) / 6: 0 below -3, 1 above 3, x/6 + 1/2 between."""
    if inplace:
        return float_input(input)._apply_(HardsigmoidFn.apply)
    return HardsigmoidFn.apply(float_input(input))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Hardswish(x) = x relu6(x + 3) / 6: SiLU's piecewise form (MobileNetV3)."""
    if inplace:
        return float_input(input)._apply_(HardswishFn.apply)
    return HardswishFn.apply(float_input(input))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    r"""Threshold(x) = x if x > threshold else value."""
    th, v = float(threshold), float(value)
    if inplace:
        return float_input(input)._apply_(lambda t: ThresholdFn.apply(t, th, v), "ThresholdBackward1")
    return ThresholdFn.apply(float_input(input), th, v)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""SELU(x) = s (max(0, x) + min(0, \alpha (e^x - 1))), \alpha = 1.6733, s = 1.0507: with
    LeCun-normal weights it keeps activations near zero mean and unit variance (self-normalising)."""
    if inplace:
        return float_input(input)._apply_(
            lambda t: ScaledEluFn.apply(t, SELU_SCALE, SELU_ALPHA, 1.0), "EluBackward1"
        )
    return ScaledEluFn.apply(float_input(input), SELU_SCALE, SELU_ALPHA, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""CELU(x) = max(0, x) + min(0, \alpha (e^{x/\alpha} - 1)) (\alpha = 1): an ELU whose derivative
    is continuous at 0 for every \alpha."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    a = float(alpha)
    if inplace:
        return float_input(input)._apply_(lambda t: ScaledEluFn.apply(t, 1.0, a, a), "CeluBackward1")
    return ScaledEluFn.apply(float_input(input), 1.0, a, a)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Mish(x) = x tanh(softplus(x)): smooth, non-monotonic, ~ReLU for large |x|."""
    if inplace:
        return float_input(input)._apply_(MishFn.apply)
    return MishFn.apply(float_input(input))


def logsigmoid(input: Tensor) -> Tensor:
    r"""LogSigmoid(x) = log(1 / (1 + e^{-x})) = -softplus(-x), computed without overflow."""
    return LogSigmoidFn.apply(float_input(input))


def softsign(input: Tensor) -> Tensor:
    r"""Softsign(x) = x / (1 + |x|): squashes to (-1, 1) like tanh but with polynomial tails."""
    return SoftsignFn.apply(float_input(input))


def tanhshrink(input: Tensor) -> Tensor:
    r"""Tanhshrink(x) = x - tanh(x)."""
    return TanhshrinkFn.apply(float_input(input))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    r"""GLU(a, b) = a \sigma(b), a and b the two halves of ``input`` along ``dim`` (default -1)."""
    x = float_input(input)
    if x._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _one_dim(int(dim), x._data.ndim)
    n = x._data.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    return GluFn.apply(x, d)


# --------------------------------------------------------------------------- softmax family


def _softmax_dim(ndim: int) -> int:
    # PyTorch's legacy implicit choice when dim=None: 0 for 0-, 1- and 3-D input, else 1
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(input: Tensor, dim: Any, dtype: Any, name: str = "softmax") -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.type(dtype)
    x = float_input(input)
    nd = x._data.ndim
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
            "dim=X as an argument.",
            UserWarning,
            stacklevel=4,
        )
    d = _softmax_dim(nd) if dim is None else _one_dim(int(dim), nd)
    return x, d


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    r"""softmax(x)_i = e^{x_i} / \sum_j e^{x_j} along ``dim``, computed after subtracting the maximum
    (softmax(x) = softmax(x - c)), so softmax([1000, 0]) is exactly [1, 0] with no overflow."""
    x, d = _softmax_prep(input, dim, dtype)
    if x._data.ndim == 0:
        return SoftmaxFn.apply(x.reshape(1), 0).reshape(())
    return SoftmaxFn.apply(x, d)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    r"""log_softmax(x)_i = x_i - log \sum_j e^{x_j} = (x_i - m) - log \sum_j e^{x_j - m}, m = max x."""
    x, d = _softmax_prep(input, dim, dtype)
    if x._data.ndim == 0:
        return LogSoftmaxFn.apply(x.reshape(1), 0).reshape(())
    return LogSoftmaxFn.apply(x, d)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    r"""softmin(x) = softmax(-x) along ``dim``: weights that favour the smallest entries."""
    x, d = _softmax_prep(input, dim, dtype, "softmin")
    if x._data.ndim == 0:
        return SoftminFn.apply(x.reshape(1), 0).reshape(())
    return SoftminFn.apply(x, d)


# --------------------------------------------------------------------------- in-place forms
def relu_(input: Tensor) -> Tensor:
    """:func:`relu` with ``inplace=True``."""
    return relu(input, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """:func:`leaky_relu` with ``inplace=True``."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """:func:`elu` with ``inplace=True``."""
    return elu(input, alpha, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """:func:`hardtanh` with ``inplace=True``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """:func:`threshold` with ``inplace=True``."""
    th, v = float(threshold), float(value)
    return float_input(input)._apply_(lambda t: ThresholdFn.apply(t, th, v), "ThresholdBackward1")


def selu_(input: Tensor) -> Tensor:
    """:func:`selu` with ``inplace=True``."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """:func:`celu` with ``inplace=True``."""
    return celu(input, alpha, inplace=True)
