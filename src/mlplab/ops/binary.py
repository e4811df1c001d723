"""Binary elementwise ops with NumPy broadcasting; backward sums gradients back to each shape."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, unbroadcast


class Add(Function):
    """z = x + y;  dz/dx = 1, dz/dy = 1."""

    def forward(self, x, y):
        self.xs, self.ys = x.shape, y.shape
        return x + y

    def backward(self, g):
        return unbroadcast(g, self.xs), unbroadcast(g, self.ys)


class Sub(Function):
    """z = x - y;  dz/dx = 1, dz/dy = -1."""

    def forward(self, x, y):
        self.xs, self.ys = x.shape, y.shape
        return x - y

    def backward(self, g):
        gy = unbroadcast(-g, self.ys) if self.needs[1] else None
        return unbroadcast(g, self.xs), gy


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, g):
        x, y = self.x, self.y
        gx = unbroadcast(g * y, x.shape) if self.needs[0] else None
        gy = unbroadcast(g * x, y.shape) if self.needs[1] else None
        return gx, gy


class Div(Function):
    """z = x / y;  dz/dx = 1/y, dz/dy = -x/y^2."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, g):
        x, y = self.x, self.y
        gx = unbroadcast(g / y, x.shape) if self.needs[0] else None
        gy = unbroadcast(-g * x / (y * y), y.shape) if self.needs[1] else None
        return gx, gy


class Pow(Function):
    """z = x ** y (both tensors);  dz/dx = y x^(y-1), dz/dy = z ln x."""

    def forward(self, x, y):
        self.x, self.y = x, y
        self.z = z = np.power(x, y)
        return z

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        if self.needs[0]:
            gx = unbroadcast(g * y * np.power(x, y - 1), x.shape)
        if self.needs[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                # PyTorch: the exponent's gradient is 0 where the base is 0 and the exponent >= 0
                lg = np.where((x == 0) & (y >= 0), 0.0, self.z * np.log(x))
            gy = unbroadcast(g * lg.astype(y.dtype, copy=False), y.shape)
        return gx, gy


class PowScalar(Function):
    """z = x ** p for a Python number p;  dz/dx = p x^(p-1) (0 when p == 0)."""

    def forward(self, x, p):
        self.x, self.p = x, p
        return x**p

    def backward(self, g):
        p = self.p
        if p == 0:
            return np.zeros_like(g)
        if p == 2:
            return g * (2 * self.x)
        return g * (p * self.x ** (p - 1))


class RPowScalar(Function):
    """z = b ** x for a Python number b;  dz/dx = z ln b."""

    def forward(self, x, b):
        self.z = z = np.power(b, x)
        self.lb = np.log(b) if b > 0 else np.nan
        return z

    def backward(self, g):
        return g * (self.z * self.lb).astype(g.dtype, copy=False)


class Maximum(Function):
    """z = max(x, y) elementwise; the gradient goes to the larger input, split in half on ties."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.maximum(x, y)

    def backward(self, g):
        x, y = self.x, self.y
        w = (x > y) + 0.5 * (x == y)
        gx = unbroadcast(g * w.astype(g.dtype), x.shape) if self.needs[0] else None
        gy = unbroadcast(g * (1 - w).astype(g.dtype), y.shape) if self.needs[1] else None
        return gx, gy


class Minimum(Function):
    """z = min(x, y) elementwise; the gradient goes to the smaller input, split in half on ties."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.minimum(x, y)

    def backward(self, g):
        x, y = self.x, self.y
        w = (x < y) + 0.5 * (x == y)
        gx = unbroadcast(g * w.astype(g.dtype), x.shape) if self.needs[0] else None
        gy = unbroadcast(g * (1 - w).astype(g.dtype), y.shape) if self.needs[1] else None
        return gx, gy


class Where(Function):
    """z = cond ? x : y;  the gradient flows to x where cond holds and to y elsewhere."""

    def forward(self, cond, x, y):
        self.cond, self.xs, self.ys = cond, x.shape, y.shape
        return np.where(cond, x, y)

    def backward(self, g):
        c = self.cond
        zero = np.zeros((), dtype=g.dtype)
        gx = unbroadcast(np.where(c, g, zero), self.xs) if self.needs[1] else None
        gy = unbroadcast(np.where(c, zero, g), self.ys) if self.needs[2] else None
        return None, gx, gy


class MatMul(Function):
    """Z = X @ Y (NumPy matmul semantics: 1-D promotion, batched broadcasting).

    dL/dX = dL/dZ @ Y^T,  dL/dY = X^T @ dL/dZ, summed over broadcast batch axes.
    """

    def forward(self, x, y):
        self.x, self.y = x, y
        return x @ y

    def backward(self, g):
        x, y = self.x, self.y
        if x.ndim == 2 and y.ndim == 2:
            gx = g @ y.T if self.needs[0] else None
            gy = x.T @ g if self.needs[1] else None
            return gx, gy
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = g.reshape(np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2]) + (x2.shape[-2], y2.shape[-1]))
        gx = gy = None
        if self.needs[0]:
            gx = unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2.shape).reshape(x.shape)
        if self.needs[1]:
            gy = unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2.shape).reshape(y.shape)
        return gx, gy
