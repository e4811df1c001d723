r"""Arithmetic: +, -, *, /, ** between tensors (broadcasting) or with a Python scalar, and
maximum, minimum, where.

With broadcasting, each input's gradient is summed back to its own shape (``unbroadcast``, the
adjoint of broadcasting). The ``*Scalar`` forms take one tensor and a number: no 0-d array and no
broadcasting in backward, the common case of ``x * 2`` on the hot path.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.op import OUTPUT, Op, unbroadcast
from ..autograd.tensor_ops import sum_to


class Add(Op):
    """z = x + y;  dz/dx = 1, dz/dy = 1."""

    arity = 2

    def forward(self, x, y):
        self.xs, self.ys = x.shape, y.shape
        return x + y

    def backward(self, g):
        return unbroadcast(g, self.xs), unbroadcast(g, self.ys)

    def backward_graph(self, g):
        return sum_to(g, self.xs), sum_to(g, self.ys)


class Sub(Op):
    """z = x - y;  dz/dx = 1, dz/dy = -1."""

    arity = 2

    def forward(self, x, y):
        self.xs, self.ys = x.shape, y.shape
        return x - y

    def backward(self, g):
        gy = unbroadcast(-g, self.ys) if self.needs_input_grad[1] else None
        return unbroadcast(g, self.xs), gy

    def backward_graph(self, g):
        return sum_to(g, self.xs), (sum_to(-g, self.ys) if self.needs_input_grad[1] else None)


class Mul(Op):
    """z = x * y;  dz/dx = y, dz/dy = x."""

    arity = 2
    saves = ((1,), (0,))  # dx reads y, dy reads x

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, g):
        x, y = self.x, self.y
        gx = unbroadcast(g * y, x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(g * x, y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        gx = sum_to(g * y, x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(g * x, y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Div(Op):
    """z = x / y;  dz/dx = 1/y, dz/dy = -x/y^2."""

    arity = 2
    saves = ((1,), (0, 1))

    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, g):
        x, y = self.x, self.y
        gx = unbroadcast(g / y, x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(-g * x / (y * y), y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        gx = sum_to(g / y, x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(-g * x / (y * y), y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Pow(Op):
    """z = x ** y (both tensors);  dz/dx = y x^(y-1), dz/dy = z ln x.

    As PyTorch: dz/dx is 0 where y == 0, and dz/dy is 0 where x == 0 and y >= 0 (so that 0 ** y
    stays differentiable at the points where it is constant). A negative base gives NaN silently.
    """

    arity = 2
    saves = (0, 1, OUTPUT)  # PyTorch keeps the output even when only dz/dx is wanted

    backward_name = "PowBackward1"

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(invalid="ignore", divide="ignore"):
            self.z = z = np.power(x, y)
        return z

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                d = y * np.power(x, y - 1)
                d = np.where(y == 0, np.zeros((), d.dtype), d)
                gx = unbroadcast(g * d, x.shape)
            if self.needs_input_grad[1]:
                lg = self.z * np.log(x)
                lg = np.where((x == 0) & (y >= 0), np.zeros((), lg.dtype), lg)
                gy = unbroadcast(g * lg, y.shape)
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        zero = g._make(np.zeros((), g._data.dtype))
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                d = y * Pow.apply(x, y - 1)
                gx = sum_to(g * Where.apply(g._make(self.y == 0), zero, d), x.shape)
            if self.needs_input_grad[1]:
                lg = Pow.apply(x, y) * x.log()
                gy = sum_to(g * Where.apply(g._make((self.x == 0) & (self.y >= 0)), zero, lg), y.shape)
        return gx, gy


class PowScalar(Op):
    """z = x ** p for a Python number p;  dz/dx = p x^(p-1) (0 when p == 0, as PyTorch)."""

    arity = 1
    saves = (0,)

    backward_name = "PowBackward0"

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

    def backward_graph(self, g):
        p, x = self.p, self.parents[0]
        if p == 0:
            return g * 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            return g * (p * PowScalar.apply(x, p - 1))


class RPowScalar(Op):
    """z = b ** x for a Python number b;  dz/dx = z ln b (0 where b == 0 and x >= 0, as PyTorch)."""

    arity = 1
    saves = (0, OUTPUT)

    backward_name = "PowBackward2"

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

    def backward_graph(self, g):
        """The same, recorded (z recomputed from x); for b <= 0 as torch: z ln b with ln 0 = -inf,
        ln b = nan for b < 0, and 0 where b == 0 and x >= 0."""
        x, b = self.parents[0], self.b
        if b > 0:
            return g * (RPowScalar.apply(x, b) * math.log(b))
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            d = RPowScalar.apply(x, b) * (-math.inf if b == 0 else math.nan)
            return g * (d.masked_fill(self.x >= 0, 0.0) if b == 0 else d)


class AddScalar(Op):
    """z = x + c for a Python number c;  dz/dx = 1."""

    arity = 1

    backward_name = "AddBackward0"

    def forward(self, x, c):
        return x + c

    def backward(self, g):
        return g

    def backward_graph(self, g):
        return g


class SubScalar(Op):
    """z = x - c for a Python number c;  dz/dx = 1."""

    arity = 1

    backward_name = "SubBackward0"

    def forward(self, x, c):
        return x - c

    def backward(self, g):
        return g

    def backward_graph(self, g):
        return g


class RSubScalar(Op):
    """z = c - x for a Python number c;  dz/dx = -1."""

    arity = 1

    backward_name = "RsubBackward1"

    def forward(self, x, c):
        return c - x

    def backward(self, g):
        return -g

    def backward_graph(self, g):
        return -g


class MulScalar(Op):
    """z = c x for a Python number c;  dz/dx = c."""

    arity = 1

    backward_name = "MulBackward0"

    def forward(self, x, c):
        self.c = c
        return x * c

    def backward(self, g):
        return g * self.c

    def backward_graph(self, g):
        return g * self.c


class DivScalar(Op):
    """z = x / c for a Python number c;  dz/dx = 1 / c."""

    arity = 1

    backward_name = "DivBackward0"

    def forward(self, x, c):
        self.c = c
        return x / c

    def backward(self, g):
        return g / self.c

    def backward_graph(self, g):
        return g / self.c


class RDivScalar(Op):
    """z = c / x for a Python number c, computed as PyTorch does: z = (1/x) c;
    dz/dx = -c / x^2 = -c (1/x)^2.

    Backward reads only its own array 1/x (PyTorch's reciprocal keeps its result, which nothing
    else sees), so changing x or z in place afterwards does not disturb it, as in PyTorch.
    """

    arity = 1

    backward_name = "MulBackward0"

    def forward(self, x, c):
        self.c = c
        with np.errstate(divide="ignore", invalid="ignore"):  # x = 0: inf (nan for c = 0), as PyTorch
            self.inv = inv = 1 / x
            return inv * c

    def backward(self, g):
        inv = self.inv
        with np.errstate(over="ignore", invalid="ignore"):
            return -(g * self.c) * (inv * inv)

    def backward_graph(self, g):
        x = self.parents[0]
        return -g * RDivScalar.apply(x, self.c) / x


class Maximum(Op):
    """z = max(x, y) elementwise; the gradient goes to the larger input, split in half on ties."""

    arity = 2
    saves = (0, 1)

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.maximum(x, y)

    def backward(self, g):
        x, y = self.x, self.y
        w = (x > y) + 0.5 * (x == y)
        gx = unbroadcast(g * w.astype(g.dtype), x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(g * (1 - w).astype(g.dtype), y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        w = ((self.x > self.y) + 0.5 * (self.x == self.y)).astype(g._data.dtype)
        gx = sum_to(g * g._make(w), x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(g * g._make(1 - w), y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Minimum(Op):
    """z = min(x, y) elementwise; the gradient goes to the smaller input, split in half on ties."""

    arity = 2
    saves = (0, 1)

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.minimum(x, y)

    def backward(self, g):
        x, y = self.x, self.y
        w = (x < y) + 0.5 * (x == y)
        gx = unbroadcast(g * w.astype(g.dtype), x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(g * (1 - w).astype(g.dtype), y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        w = ((self.x < self.y) + 0.5 * (self.x == self.y)).astype(g._data.dtype)
        gx = sum_to(g * g._make(w), x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(g * g._make(1 - w), y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Where(Op):
    """z = cond ? x : y;  the gradient flows to x where cond holds and to y elsewhere."""

    arity = 3
    saves = (0,)

    def forward(self, cond, x, y):
        self.cond, self.xs, self.ys = cond, x.shape, y.shape
        return np.where(cond, x, y)

    def backward(self, g):
        c = self.cond
        zero = np.zeros((), dtype=g.dtype)
        gx = unbroadcast(np.where(c, g, zero), self.xs) if self.needs_input_grad[1] else None
        gy = unbroadcast(np.where(c, zero, g), self.ys) if self.needs_input_grad[2] else None
        return None, gx, gy

    def backward_graph(self, g):
        c = self.parents[0]
        zero = g._make(np.zeros((), g._data.dtype))
        gx = sum_to(Where.apply(c, g, zero), self.xs) if self.needs_input_grad[1] else None
        gy = sum_to(Where.apply(c, zero, g), self.ys) if self.needs_input_grad[2] else None
        return None, gx, gy
