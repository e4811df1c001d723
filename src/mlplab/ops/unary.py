"""Unary elementwise ops: each forward with its derivative underneath."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Exp(Function):
    """y = e^x;  dy/dx = y."""

    def forward(self, x):
        self.y = y = np.exp(x)
        return y

    def backward(self, g):
        return g * self.y


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    def forward(self, x):
        self.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / self.x


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x))."""

    def forward(self, x):
        with np.errstate(invalid="ignore"):
            self.y = y = np.sqrt(x)
        return y

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (2 * self.y)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at 0, as PyTorch)."""

    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return g * np.sign(self.x)


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, g):
        return g * np.cos(self.x)


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, g):
        return -g * np.sin(self.x)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2."""

    def forward(self, x):
        self.y = y = np.tanh(x)
        return y

    def backward(self, g):
        y = self.y
        return g * (1 - y * y)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + e^-x), computed from e^-|x| so that +-1000 neither overflows nor warns."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)."""

    def forward(self, x):
        self.y = y = stable_sigmoid(x)
        return y

    def backward(self, g):
        y = self.y
        return g * y * (1 - y)


class Relu(Function):
    """y = max(0, x);  dy/dx = 1 for x > 0 else 0."""

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, g):
        return g * self.mask


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 inside [lo, hi] (bounds included), else 0."""

    bw_name = "ClampBackward1"

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
