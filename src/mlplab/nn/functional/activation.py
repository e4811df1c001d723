r"""Activation functions: each a ``Function`` with its derivative, and the functional form.

Every activation is elementwise except softmax/log_softmax, which normalise along ``dim``. All are
written to stay finite and warning-free at +-1000: exponentials only ever see non-positive
arguments (or are replaced by an asymptote), as the notes' "subtract the maximum" advice for softmax.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...autograd.function import Function, unbroadcast
from ...ops.unary import stable_sigmoid
from ...tensor import Tensor, _one_dim
from ._util import float_input, shift_by_max


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

    ``inplace`` is accepted for compatibility; mlplab always returns a new tensor (use the result).
    """
    return input.relu()


class LeakyReluFn(Function):
    """y = x if x > 0 else a x;  dy/dx = 1 if x > 0 else a."""

    bw_name = "LeakyReluBackward0"

    def forward(self, x, a):
        self.pos = pos = x > 0
        self.a = a
        return np.where(pos, x, x * a)

    def backward(self, g):
        return np.where(self.pos, g, g * self.a)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""LeakyReLU(x) = max(0, x) + a min(0, x), a = ``negative_slope`` (default 0.01): negative inputs keep
    a small gradient a, so units cannot "die" as with ReLU."""
    return LeakyReluFn.apply(float_input(input), float(negative_slope))


class PReluFn(Function):
    """y = x if x > 0 else w x (w per channel);  dy/dx = 1 or w,  dy/dw = 0 or x."""

    bw_name = "PreluKernelBackward0"

    def forward(self, x, w):
        if x.ndim >= 2 and w.size > 1:
            w = w.reshape((1, w.size) + (1,) * (x.ndim - 2))
        self.x, self.w, self.wshape = x, w, w.shape
        self.pos = pos = x > 0
        return np.where(pos, x, x * w)

    def backward(self, g):
        pos, x = self.pos, self.x
        gx = np.where(pos, g, g * self.w) if self.needs[0] else None
        gw = None
        if self.needs[1]:
            gw = unbroadcast(np.where(pos, 0, g * x), self.wshape).reshape(-1)
        return gx, gw


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


class SiluFn(Function):
    """y = x sigma(x);  dy/dx = sigma(x) (1 + x (1 - sigma(x)))."""

    bw_name = "SiluBackward0"

    def forward(self, x):
        self.x = x
        self.s = s = stable_sigmoid(x)
        return x * s

    def backward(self, g):
        s = self.s
        return g * (s * (1 + self.x * (1 - s)))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""SiLU / Swish: x \sigma(x). Smooth, non-monotonic near 0, ~ReLU for large |x|."""
    return SiluFn.apply(float_input(input))


class EluFn(Function):
    """y = x if x > 0 else alpha (e^x - 1);  dy/dx = 1 if x > 0 else alpha e^x."""

    bw_name = "EluBackward0"

    def forward(self, x, alpha):
        self.pos = pos = x > 0
        self.e = e = np.exp(np.minimum(x, 0))  # e^x only where it is used: no overflow at +1000
        self.alpha = alpha
        return np.where(pos, x, (e - 1) * alpha)

    def backward(self, g):
        return np.where(self.pos, g, g * (self.e * self.alpha))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""ELU(x) = x for x > 0, \alpha (e^x - 1) otherwise (default \alpha = 1): saturates to -\alpha."""
    return EluFn.apply(float_input(input), float(alpha))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise: SciPy's ufunc (installed with scikit-learn), else math.erf per element."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return erf(x)


class GeluFn(Function):
    r"""Exact: y = x \Phi(x), \Phi(x) = (1 + erf(x/\sqrt2))/2;  dy/dx = \Phi(x) + x \phi(x).

    tanh form: y = x (1 + tanh u)/2 = x \sigma(2u), u = \sqrt{2/\pi}(x + 0.044715 x^3);
    dy/dx = \sigma(2u) + 2 x \sigma(2u)(1 - \sigma(2u)) \sqrt{2/\pi} (1 + 3 \cdot 0.044715 x^2).
    (The \sigma form avoids the cancellation in 1 + tanh u for very negative u.)
    """

    bw_name = "GeluBackward0"

    def forward(self, x, approximate):
        self.x, self.approx = x, approximate
        if approximate == "tanh":
            self.s = s = stable_sigmoid((x + 0.044715 * x * x * x) * (2 * _SQRT_2_OVER_PI))
            return x * s
        self.cdf = cdf = 0.5 * (1 + _erf(x * _INV_SQRT_2))
        return x * cdf

    def backward(self, g):
        x = self.x
        if self.approx == "tanh":
            s = self.s
            du = (2 * _SQRT_2_OVER_PI) * (1 + 3 * 0.044715 * x * x)
            return g * (s + x * s * (1 - s) * du)
        pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return g * (self.cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""GELU(x) = x \Phi(x) (\Phi the standard normal CDF); ``approximate='tanh'`` uses
    0.5 x (1 + tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return GeluFn.apply(float_input(input), approximate)


class SoftplusFn(Function):
    """y = log(1 + e^{beta x}) / beta (y = x where beta x > threshold);  dy/dx = sigma(beta x) (or 1)."""

    bw_name = "SoftplusBackward0"

    def forward(self, x, beta, threshold):
        self.bx = bx = x * beta
        self.lin = lin = bx > threshold
        return np.where(lin, x, np.logaddexp(0, bx) / beta)

    def backward(self, g):
        return np.where(self.lin, g, g * stable_sigmoid(self.bx))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Softplus(x) = (1/\beta) log(1 + e^{\beta x}), a smooth ReLU; linear where \beta x > ``threshold``
    (defaults \beta = 1, threshold = 20). Its derivative is \sigma(\beta x)."""
    return SoftplusFn.apply(float_input(input), float(beta), float(threshold))


# --------------------------------------------------------------------------- softmax family
class SoftmaxFn(Function):
    r"""y_i = e^{x_i - m} / \sum_j e^{x_j - m} (m = max_j x_j, so no exponent overflows);
    dL/dx_i = y_i (g_i - \sum_j g_j y_j)."""

    bw_name = "SoftmaxBackward0"

    def forward(self, x, dim):
        e = np.exp(shift_by_max(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        self.y, self.dim = e, dim
        return e

    def backward(self, g):
        y = self.y
        return y * (g - (g * y).sum(axis=self.dim, keepdims=True))


class LogSoftmaxFn(Function):
    r"""y_i = (x_i - m) - log \sum_j e^{x_j - m};  dL/dx_i = g_i - softmax_i \sum_j g_j."""

    bw_name = "LogSoftmaxBackward0"

    def forward(self, x, dim):
        s = shift_by_max(x, dim)
        s -= np.log(np.exp(s).sum(axis=dim, keepdims=True))
        self.y, self.dim = s, dim
        return s

    def backward(self, g):
        return g - np.exp(self.y) * g.sum(axis=self.dim, keepdims=True)


def _softmax_dim(ndim: int) -> int:
    # PyTorch's legacy implicit choice when dim=None: 0 for 0-, 1- and 3-D input, else 1
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(input: Tensor, dim: Any, dtype: Any) -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.type(dtype)
    x = float_input(input)
    nd = x._data.ndim
    if dim is None:
        warnings.warn(
            "Implicit dimension choice for softmax has been deprecated. Change the call to include "
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
