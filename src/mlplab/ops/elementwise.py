r"""Elementwise functions: y_i = f(x_i), so dL/dx_i = f'(x_i) g_i with g = dL/dy.

Negation, exp, log, sqrt, abs, sin, cos, tanh, clamp, and the dtype cast and copy. (The
activation functions, sigmoid and ReLU included, are in :mod:`mlplab.ops.activation`.)
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import OUTPUT, Op


def _sign(x):
    """sign(x) with PyTorch's sign(NaN) = 0 (NumPy's is NaN)."""
    y = np.sign(x)
    return np.where(np.isnan(y), 0, y) if y.dtype.kind == "f" else y


class Neg(Op):
    """y = -x;  dy/dx = -1."""

    arity = 1

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g

    def backward_graph(self, g):
        return -g


class Exp(Op):
    """y = e^x;  dy/dx = y."""

    arity = 1
    saves = (OUTPUT,)

    def forward(self, x):
        self.y = y = np.exp(x)
        return y

    def backward(self, g):
        return g * self.y

    def backward_graph(self, g):
        return g * Exp.apply(self.parents[0])


class Log(Op):
    """y = ln x;  dy/dx = 1/x."""

    arity = 1
    saves = (0,)

    def forward(self, x):
        self.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / self.x

    def backward_graph(self, g):
        return g / self.parents[0]


class Sqrt(Op):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x))."""

    arity = 1
    saves = (OUTPUT,)

    def forward(self, x):
        with np.errstate(invalid="ignore"):
            self.y = y = np.sqrt(x)
        return y

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (2 * self.y)

    def backward_graph(self, g):
        return g / (2 * Sqrt.apply(self.parents[0]))


class Abs(Op):
    """y = |x|;  dy/dx = sign(x) (0 at 0 and at NaN, as PyTorch)."""

    arity = 1
    saves = (0,)

    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return g * _sign(self.x)

    def backward_graph(self, g):
        return g * g._make(_sign(self.x))


class Sin(Op):
    """y = sin x;  dy/dx = cos x."""

    arity = 1
    saves = (0,)

    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, g):
        return g * np.cos(self.x)

    def backward_graph(self, g):
        return g * Cos.apply(self.parents[0])


class Cos(Op):
    """y = cos x;  dy/dx = -sin x."""

    arity = 1
    saves = (0,)

    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, g):
        return -g * np.sin(self.x)

    def backward_graph(self, g):
        return -g * Sin.apply(self.parents[0])


class Tanh(Op):
    """y = tanh x;  dy/dx = 1 - y^2."""

    arity = 1
    saves = (OUTPUT,)

    def forward(self, x):
        self.y = y = np.tanh(x)
        return y

    def backward(self, g):
        y = self.y
        return g * (1 - y * y)

    def backward_graph(self, g):
        y = Tanh.apply(self.parents[0])
        return g * (1 - y * y)


class Clamp(Op):
    """y = min(max(x, lo), hi);  dy/dx = 1 inside [lo, hi] (bounds included), else 0."""

    arity = 1
    saves = (0,)

    backward_name = "ClampBackward1"

    def forward(self, x, lo, hi):
        self.x, self.lo, self.hi = x, lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        x, lo, hi = self.x, self.lo, self.hi
        m = np.ones(x.shape, dtype=bool)
        if lo is not None:
            m &= x >= lo
        if hi is not None:
            m &= x <= hi
        return g * m

    def backward_graph(self, g):
        x, lo, hi = self.x, self.lo, self.hi
        m = np.ones(x.shape, dtype=g._data.dtype)
        if lo is not None:
            m *= x >= lo
        if hi is not None:
            m *= x <= hi
        return g * g._make(m)


class Cast(Op):
    """y = x converted to another float dtype;  dL/dx = dL/dy converted back."""

    arity = 1
    backward_name = "ToCopyBackward0"

    def forward(self, x, dt):
        self.dt = x.dtype
        return x.astype(dt)

    def backward(self, g):
        return g.astype(self.dt)

    def backward_graph(self, g):
        return Cast.apply(g, self.dt)


class Clone(Op):
    """y = copy of x;  dL/dx = dL/dy."""

    arity = 1

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g

    def backward_graph(self, g):
        return g


class Sgn(Op):
    """y = sign(x), recorded (as torch's ``sgn`` in its 1- and inf-norm gradients);  dy/dx = 0: a gradient
    built on it stays connected to x, with a zero derivative, as torch's is."""

    arity = 1
    backward_name = "SgnBackward0"

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return _sign(x)

    def backward(self, g):
        return np.zeros(self.shape, g.dtype)

    def backward_graph(self, g):
        return g._make(np.zeros(self.shape, g._data.dtype))
