r"""Activation functions, each a ``Op`` with its derivative.

Every activation is elementwise except softmax/log_softmax, which normalise along ``dim``. All are
written to stay finite and warning-free at +-1000: exponentials only ever see non-positive
arguments (or are replaced by an asymptote), as the notes' "subtract the maximum" advice for softmax.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.op import OUTPUT, Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from ._numerics import relu_array, shift_by_max, stable_sigmoid
from .shape import Cat, Index


class Sigmoid(Op):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)."""

    arity = 1
    saves = (OUTPUT,)

    def forward(self, x):
        self.y = y = stable_sigmoid(x)
        return y

    def backward(self, g):
        y = self.y
        return g * y * (1 - y)

    def backward_graph(self, g):
        y = Sigmoid.apply(self.parents[0])
        return g * y * (1 - y)


class Relu(Op):
    """y = max(0, x);  dy/dx = 1 for x > 0 else 0."""

    arity = 1
    saves = (OUTPUT,)  # as PyTorch (the mask is a copy)

    def forward(self, x):
        self.mask = x > 0
        return relu_array(x)

    def backward(self, g):
        return g * self.mask

    def backward_graph(self, g):
        return g * g._make(self.mask.astype(g._data.dtype))


class LeakyReluFn(Op):
    """y = x if x > 0 else a x;  dy/dx = 1 if x > 0 else a."""

    arity = 1
    saves = (0,)  # as PyTorch (pos is a copy)

    backward_name = "LeakyReluBackward0"

    def forward(self, x, a):
        self.pos = pos = x > 0
        self.a = a
        return np.where(pos, x, x * a)

    def backward(self, g):
        return np.where(self.pos, g, g * self.a)

    def backward_graph(self, g):
        dt = g._data.dtype
        return g * g._make(np.where(self.pos, np.ones((), dt), np.asarray(self.a, dt)))


class PReluFn(Op):
    """y = x if x > 0 else w x (w per channel);  dy/dx = 1 or w,  dy/dw = 0 or x."""

    arity = 2
    saves = (0, 1)

    backward_name = "PreluKernelBackward0"

    def forward(self, x, w):
        if x.ndim >= 2 and w.size > 1:
            w = w.reshape((1, w.size) + (1,) * (x.ndim - 2))
        self.x, self.w, self.wshape = x, w, w.shape
        self.pos = pos = x > 0
        return np.where(pos, x, x * w)

    def backward(self, g):
        pos, x = self.pos, self.x
        gx = np.where(pos, g, g * self.w) if self.needs_input_grad[0] else None
        gw = None
        if self.needs_input_grad[1]:
            gw = unbroadcast(np.where(pos, 0, g * x), self.wshape).reshape(-1)
        return gx, gw

    def backward_graph(self, g):
        """dx = g (pos + neg w),  dw = sum(g neg x), recorded (second derivatives: d2/dx dw = g neg)."""
        x, w = self.parents
        dt = g._data.dtype
        neg = g._make((~self.pos).astype(dt))
        gx = gw = None
        if self.needs_input_grad[0]:
            gx = g * (g._make(self.pos.astype(dt)) + neg * w.reshape(self.wshape))
        if self.needs_input_grad[1]:
            gw = sum_to(g * neg * x, self.wshape).reshape(-1)
        return gx, gw


class SiluFn(Op):
    """y = x sigma(x);  dy/dx = sigma(x) (1 + x (1 - sigma(x)))."""

    arity = 1
    saves = (0,)

    backward_name = "SiluBackward0"

    def forward(self, x):
        self.x = x
        self.s = s = stable_sigmoid(x)
        return x * s

    def backward(self, g):
        s = self.s
        return g * (s * (1 + self.x * (1 - s)))

    def backward_graph(self, g):
        x = self.parents[0]
        s = Sigmoid.apply(x)
        return g * (s * (1 + x * (1 - s)))


class EluFn(Op):
    """y = x if x > 0 else alpha (e^x - 1);  dy/dx = 1 if x > 0 else alpha e^x."""

    arity = 1
    saves = (0,)  # as PyTorch (pos and e are copies)

    backward_name = "EluBackward0"

    def forward(self, x, alpha):
        self.pos = pos = x > 0
        self.e = e = np.exp(np.minimum(x, 0))  # e^x only where it is used: no overflow at +1000
        self.alpha = alpha
        return np.where(pos, x, (e - 1) * alpha)

    def backward(self, g):
        return np.where(self.pos, g, g * (self.e * self.alpha))

    def backward_graph(self, g):
        x, dt = self.parents[0], g._data.dtype
        pos, neg = g._make(self.pos.astype(dt)), g._make((~self.pos).astype(dt))
        return g * (pos + neg * (x.clamp(max=0).exp() * self.alpha))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


_INV_SQRT_2 = 1.0 / math.sqrt(2.0)


_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise: SciPy's ufunc (installed with scikit-learn; imported on first use, as it is
    slow to import), else math.erf per element."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return erf(x)


class GeluFn(Op):
    r"""Exact: y = x \Phi(x), \Phi(x) = (1 + erf(x/\sqrt2))/2;  dy/dx = \Phi(x) + x \phi(x).

    tanh form: y = x (1 + tanh u)/2 = x \sigma(2u), u = \sqrt{2/\pi}(x + 0.044715 x^3);
    dy/dx = \sigma(2u) + 2 x \sigma(2u)(1 - \sigma(2u)) \sqrt{2/\pi} (1 + 3 \cdot 0.044715 x^2).
    (The \sigma form avoids the cancellation in 1 + tanh u for very negative u.)
    """

    arity = 1
    saves = (0,)

    backward_name = "GeluBackward0"

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

    def backward_graph(self, g):
        x = self.parents[0]
        if self.approx != "tanh":
            return g * GeluGradFn.apply(x)
        s = Sigmoid.apply((x + 0.044715 * x * x * x) * (2 * _SQRT_2_OVER_PI))
        du = (1 + 3 * 0.044715 * x * x) * (2 * _SQRT_2_OVER_PI)
        return g * (s + x * s * (1 - s) * du)


class GeluGradFn(Op):
    r"""The exact GELU's derivative as an op (its double backward):
    y = \Phi(x) + x \phi(x);  dy/dx = \phi(x) (2 - x^2)  (\phi' = -x \phi)."""

    arity = 1
    saves = (0,)

    backward_name = "GeluBackwardBackward0"

    def forward(self, x):
        self.x = x
        return 0.5 * (1 + _erf(x * _INV_SQRT_2)) + x * (np.exp(-0.5 * x * x) * _INV_SQRT_2PI)

    def backward(self, g):
        x = self.x
        return g * (np.exp(-0.5 * x * x) * _INV_SQRT_2PI) * (2 - x * x)

    def backward_graph(self, g):
        x = self.parents[0]
        return g * ((x * x * -0.5).exp() * _INV_SQRT_2PI) * (2 - x * x)


class SoftplusFn(Op):
    """y = log(1 + e^{beta x}) / beta (y = x where beta x > threshold);  dy/dx = sigma(beta x) (or 1)."""

    arity = 1
    saves = (0,)  # as PyTorch

    backward_name = "SoftplusBackward0"

    def forward(self, x, beta, threshold):
        self.beta_x = beta_x = x * beta
        self.beta = beta
        self.linear_zone = linear_zone = beta_x > threshold
        return np.where(linear_zone, x, np.logaddexp(0, beta_x) / beta)

    def backward(self, g):
        return np.where(self.linear_zone, g, g * stable_sigmoid(self.beta_x))

    def backward_graph(self, g):
        x, lin = self.parents[0], self.linear_zone
        s = Sigmoid.apply(x * self.beta)
        dt = g._data.dtype
        return g * (s * g._make((~lin).astype(dt)) + g._make(lin.astype(dt)))


class SoftmaxFn(Op):
    r"""y_i = e^{x_i - m} / \sum_j e^{x_j - m} (m = max_j x_j, so no exponent overflows);
    dL/dx_i = y_i (g_i - \sum_j g_j y_j)."""

    arity = 1
    saves = (OUTPUT,)

    backward_name = "SoftmaxBackward0"

    def forward(self, x, dim):
        e = np.exp(shift_by_max(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        self.y, self.dim = e, dim
        return e

    def backward(self, g):
        y = self.y
        return y * (g - (g * y).sum(axis=self.dim, keepdims=True))

    def backward_graph(self, g):
        y = SoftmaxFn.apply(self.parents[0], self.dim)
        return y * (g - (g * y).sum(dim=self.dim, keepdim=True))


class LogSoftmaxFn(Op):
    r"""y_i = (x_i - m) - log \sum_j e^{x_j - m};  dL/dx_i = g_i - softmax_i \sum_j g_j."""

    arity = 1
    saves = (OUTPUT,)

    backward_name = "LogSoftmaxBackward0"

    def forward(self, x, dim):
        s = shift_by_max(x, dim)
        s -= np.log(np.exp(s).sum(axis=dim, keepdims=True))
        self.y, self.dim = s, dim
        return s

    def backward(self, g):
        return g - np.exp(self.y) * g.sum(axis=self.dim, keepdims=True)

    def backward_graph(self, g):
        p = LogSoftmaxFn.apply(self.parents[0], self.dim).exp()
        return g - p * g.sum(dim=self.dim, keepdim=True)


class SoftminFn(SoftmaxFn):
    r"""y = softmax(-x) along ``dim``;  dL/dx_i = -y_i (g_i - \sum_j g_j y_j)."""

    backward_name = "SoftmaxBackward0"

    def forward(self, x, dim):
        return super().forward(-x, dim)

    def backward(self, g):
        return -super().backward(g)

    def backward_graph(self, g):
        y = SoftmaxFn.apply(-self.parents[0], self.dim)
        return -(y * (g - (g * y).sum(dim=self.dim, keepdim=True)))


class GluFn(Op):
    r"""Gated linear unit: x split in halves a, b along ``dim``;  y = a \sigma(b);
    dL/da = g \sigma(b),  dL/db = g a \sigma(b) (1 - \sigma(b))."""

    arity = 1

    backward_name = "GluBackward0"

    def forward(self, x, dim):
        a, b = np.split(x, 2, axis=dim)
        self.a, self.s, self.dim = a, stable_sigmoid(b), dim
        return a * self.s

    def backward(self, g):
        a, s = self.a, self.s
        gs = g * s
        return np.concatenate([gs, gs * a * (1 - s)], axis=self.dim)

    def backward_graph(self, g):
        x, dim = self.parents[0], self.dim
        h = self.a.shape[dim]
        pre = (slice(None),) * dim
        a, b = Index.apply(x, (*pre, slice(0, h)), False), Index.apply(x, (*pre, slice(h, None)), False)
        s = Sigmoid.apply(b)
        gs = g * s
        return Cat.apply(dim, gs, gs * a * (1 - s))
