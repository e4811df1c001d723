r"""Smooth activations, each a ``Op`` with its derivative: SELU and CELU (scaled ELUs), Mish,
LogSigmoid, Softsign, Tanhshrink.

Like :mod:`mlplab.ops.activation`, exponentials only ever see non-positive arguments, so every
one is finite and warning-free at +-1000.
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from ._numerics import stable_sigmoid
from .activation import Sigmoid

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class ScaledEluFn(Op):
    r"""y = s x for x > 0, s \alpha (e^{x/c} - 1) otherwise;
    dy/dx = s for x > 0, (s \alpha / c) e^{x/c} otherwise.

    SELU: s = 1.0507..., \alpha = 1.6733..., c = 1 (the fixed point that keeps activations at zero
    mean and unit variance); CELU: s = 1, c = \alpha (continuously differentiable at 0)."""

    arity = 1

    backward_name = "EluBackward0"

    def forward(self, x, scale, alpha, c):
        self.pos = pos = x > 0
        self.e = e = np.exp(np.minimum(x, 0) / c)
        self.scale, self.alpha, self.c = scale, alpha, c
        return np.where(pos, x * scale, (e - 1) * (scale * alpha))

    def backward(self, g):
        return np.where(self.pos, g * self.scale, g * (self.e * (self.scale * self.alpha / self.c)))

    def backward_graph(self, g):
        x, dt = self.parents[0], g._data.dtype
        pos, neg = g._make(self.pos.astype(dt)), g._make((~self.pos).astype(dt))
        e = (x.clamp(max=0) / self.c).exp()
        return g * (pos * self.scale + neg * e * (self.scale * self.alpha / self.c))


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), computed as max(x, 0) + log1p(e^{-|x|}) (no overflow)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class MishFn(Op):
    r"""y = x tanh(softplus(x));  dy/dx = tanh(sp) + x \sigma(x) (1 - tanh^2(sp)), sp = softplus(x)
    (softplus' = \sigma)."""

    arity = 1

    backward_name = "MishBackward0"

    def forward(self, x):
        self.x = x
        self.t = t = np.tanh(_softplus(x))
        return x * t

    def backward(self, g):
        x, t = self.x, self.t
        return g * (t + x * stable_sigmoid(x) * (1 - t * t))

    def backward_graph(self, g):
        x = self.parents[0]
        t = (x.clamp(min=0) + ((-x.abs()).exp() + 1).log()).tanh()  # softplus as above
        return g * (t + x * Sigmoid.apply(x) * (1 - t * t))


class LogSigmoidFn(Op):
    r"""y = log \sigma(x) = -softplus(-x) = min(x, 0) - log(1 + e^{-|x|});
    dy/dx = 1 - \sigma(x) = \sigma(-x)."""

    arity = 1

    backward_name = "LogSigmoidBackward0"

    def forward(self, x):
        self.x = x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        return g * stable_sigmoid(-self.x)

    def backward_graph(self, g):
        return g * Sigmoid.apply(-self.parents[0])


class SoftsignFn(Op):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)^2."""

    arity = 1

    backward_name = "DivBackward0"

    def forward(self, x):
        self.d = d = 1 + np.abs(x)
        return x / d

    def backward(self, g):
        d = self.d
        return g / (d * d)

    def backward_graph(self, g):
        d = 1 + self.parents[0].abs()
        return g / (d * d)


class TanhshrinkFn(Op):
    """y = x - tanh(x);  dy/dx = tanh^2(x)."""

    arity = 1

    backward_name = "SubBackward0"

    def forward(self, x):
        self.t = t = np.tanh(x)
        return x - t

    def backward(self, g):
        t = self.t
        return g * (t * t)

    def backward_graph(self, g):
        t = self.parents[0].tanh()
        return g * (t * t)
