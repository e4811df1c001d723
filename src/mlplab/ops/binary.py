"""Binary elementwise ops with NumPy broadcasting; backward sums gradients back to each shape."""

from __future__ import annotations

import math

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
    """z = x ** y (both tensors);  dz/dx = y x^(y-1), dz/dy = z ln x.

    As PyTorch: dz/dx is 0 where y == 0, and dz/dy is 0 where x == 0 and y >= 0 (so that 0 ** y
    stays differentiable at the points where it is constant). A negative base gives NaN silently.
    """

    bw_name = "PowBackward1"

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(invalid="ignore", divide="ignore"):
            self.z = z = np.power(x, y)
        return z

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs[0]:
                d = y * np.power(x, y - 1)
                d = np.where(y == 0, np.zeros((), d.dtype), d)
                gx = unbroadcast(g * d, x.shape)
            if self.needs[1]:
                lg = self.z * np.log(x)
                lg = np.where((x == 0) & (y >= 0), np.zeros((), lg.dtype), lg)
                gy = unbroadcast(g * lg, y.shape)
        return gx, gy


class PowScalar(Function):
    """z = x ** p for a Python number p;  dz/dx = p x^(p-1) (0 when p == 0, as PyTorch)."""

    bw_name = "PowBackward0"

    def forward(self, x, p):
        self.x, self.p = x, p
        with np.errstate(invalid="ignore", divide="ignore"):
            return x**p

    def backward(self, g):
        p = self.p
        if p == 0:
            return np.zeros_like(g)
        if p == 2:
            return g * (2.0 * self.x)
        if p == 1:
            return g
        with np.errstate(invalid="ignore", divide="ignore"):
            return g * (p * self.x ** (p - 1))


class RPowScalar(Function):
    """z = b ** x for a Python number b;  dz/dx = z ln b (0 where b == 0 and x >= 0, as PyTorch)."""

    bw_name = "PowBackward2"

    def forward(self, x, b):
        self.b, self.x = b, x
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            self.z = z = np.power(b, x)
        return z

    def backward(self, g):
        b = self.b
        if b > 0:
            return g * (self.z * math.log(b))
        with np.errstate(invalid="ignore"):
            lb = -math.inf if b == 0 else math.nan
            d = self.z * lb
            if b == 0:
                d = np.where(self.x >= 0, np.zeros((), d.dtype), d)
            return g * d


class AddScalar(Function):
    """z = x + c for a Python number c;  dz/dx = 1."""

    bw_name = "AddBackward0"

    def forward(self, x, c):
        return x + c

    def backward(self, g):
        return g


class SubScalar(Function):
    """z = x - c for a Python number c;  dz/dx = 1."""

    bw_name = "SubBackward0"

    def forward(self, x, c):
        return x - c

    def backward(self, g):
        return g


class RSubScalar(Function):
    """z = c - x for a Python number c;  dz/dx = -1."""

    bw_name = "RsubBackward1"

    def forward(self, x, c):
        return c - x

    def backward(self, g):
        return -g


class MulScalar(Function):
    """z = c x for a Python number c;  dz/dx = c."""

    bw_name = "MulBackward0"

    def forward(self, x, c):
        self.c = c
        return x * c

    def backward(self, g):
        return g * self.c


class DivScalar(Function):
    """z = x / c for a Python number c;  dz/dx = 1 / c."""

    bw_name = "DivBackward0"

    def forward(self, x, c):
        self.c = c
        return x / c

    def backward(self, g):
        return g / self.c


class RDivScalar(Function):
    """z = c / x for a Python number c;  dz/dx = -c / x^2 = -z / x."""

    bw_name = "MulBackward0"

    def forward(self, x, c):
        self.x = x
        with np.errstate(divide="ignore"):
            self.z = z = c / x
        return z

    def backward(self, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g * self.z / self.x


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

    def name(self) -> str:
        nx, ny = self.x.ndim, self.y.ndim
        if nx == 2 and ny == 2:
            return "MmBackward0"
        if nx == 2 and ny == 1:
            return "MvBackward0"
        if nx == 1 and ny == 1:
            return "DotBackward0"
        return "UnsafeViewBackward0" if nx > 2 else "SqueezeBackward4"

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
