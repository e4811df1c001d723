r"""Binary elementwise functions beyond + - * / **: atan2, hypot, copysign, fmod, remainder,
logaddexp(2), xlogy, and the ones PyTorch does not differentiate (heaviside, floor_divide).

Both inputs arrive with one dtype and broadcast together; each gradient is summed back to its
input's shape (``unbroadcast``; ``sum_to`` in the recorded ``backward_graph``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import OUTPUT, Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from .not_twice import NotImplementedTwice


class Atan2(Op):
    """z = atan2(y, x) (the angle of the point (x, y));
    dz/dy = x / (x^2 + y^2), dz/dx = -y / (x^2 + y^2)."""

    arity = 2
    saves = (0, 1)

    def forward(self, y, x):
        self.y, self.x = y, x
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.y, self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            r = g / (x * x + y * y)
        gy = unbroadcast(r * x, y.shape) if self.needs_input_grad[0] else None
        gx = unbroadcast(-r * y, x.shape) if self.needs_input_grad[1] else None
        return gy, gx

    def backward_graph(self, g):
        y, x = self.parents
        r = g / (x * x + y * y)
        gy = sum_to(r * x, y.shape) if self.needs_input_grad[0] else None
        gx = sum_to(-r * y, x.shape) if self.needs_input_grad[1] else None
        return gy, gx


class Hypot(Op):
    """z = sqrt(x^2 + y^2) without overflow;  dz/dx = x / z, dz/dy = y / z."""

    arity = 2
    saves = (0, 1, OUTPUT)

    def forward(self, x, y):
        self.x, self.y = x, y
        self.z = np.hypot(x, y)
        return self.z

    def backward(self, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = g / self.z
        gx = unbroadcast(r * self.x, self.x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(r * self.y, self.y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        r = g / Hypot.apply(x, y)
        gx = sum_to(r * x, x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(r * y, y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Copysign(Op):
    """z = |x| with the sign of y;  dz/dx = z / x (0 where x == 0), dz/dy = 0 (as PyTorch)."""

    arity = 2
    saves = ((0, OUTPUT), ())

    def forward(self, x, y):
        self.x, self.ys = x, y.shape
        self.z = np.copysign(x, y)
        return self.z

    def backward(self, g):
        x = self.x
        gx = None
        if self.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = np.where(x == 0, np.zeros((), x.dtype), self.z / x)
            gx = unbroadcast(g * d, x.shape)
        gy = np.zeros(self.ys, g.dtype) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        gx = None
        if self.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = np.where(self.x == 0, np.zeros((), self.x.dtype), self.z / self.x)
            gx = sum_to(g * g._make(d), x.shape)  # d is +-1 or 0: piecewise constant
        gy = g._make(np.zeros(self.ys, g._data.dtype)) if self.needs_input_grad[1] else None
        return gx, gy


class _Modulo(Op):
    """z = x - q(x / y) y with q the rounding of the quotient;  dz/dx = 1, dz/dy = -q(x / y)."""

    arity = 2
    saves = ((), (0, 1))
    _fn = staticmethod(np.fmod)
    _round = staticmethod(np.trunc)

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):  # x mod 0 is NaN, as in torch
            return self._fn(x, y)

    def _q(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._round(self.x / self.y)

    def backward(self, g):
        gx = unbroadcast(g, self.x.shape) if self.needs_input_grad[0] else None
        gy = unbroadcast(-g * self._q(), self.y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        gx = sum_to(g, self.x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(-g * g._make(self._q()), self.y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class Fmod(_Modulo):
    """z = fmod(x, y) = x - trunc(x / y) y (the sign of x);  dz/dx = 1, dz/dy = -trunc(x / y)."""


class Remainder(_Modulo):
    """z = x - floor(x / y) y (the sign of y, Python's %);  dz/dx = 1, dz/dy = -floor(x / y)."""

    _fn = staticmethod(np.remainder)
    _round = staticmethod(np.floor)


class LogAddExp(Op):
    """z = log(e^x + e^y) computed stably;  dz/dx = e^(x - z), dz/dy = e^(y - z)."""

    arity = 2
    saves = (0, 1, OUTPUT)
    _fn = staticmethod(np.logaddexp)
    _base = np.e

    def forward(self, x, y):
        self.x, self.y = x, y
        self.z = self._fn(x, y)
        return self.z

    def backward(self, g):
        b, z = self._base, self.z
        with np.errstate(invalid="ignore", over="ignore"):
            gx = unbroadcast(g * np.power(b, self.x - z), self.x.shape) if self.needs_input_grad[0] else None
            gy = unbroadcast(g * np.power(b, self.y - z), self.y.shape) if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        z = type(self).apply(x, y)
        gx = sum_to(g * self._base ** (x - z), x.shape) if self.needs_input_grad[0] else None
        gy = sum_to(g * self._base ** (y - z), y.shape) if self.needs_input_grad[1] else None
        return gx, gy


class LogAddExp2(LogAddExp):
    """z = log2(2^x + 2^y);  dz/dx = 2^(x - z), dz/dy = 2^(y - z)."""

    _fn = staticmethod(np.logaddexp2)
    _base = 2.0


class Xlogy(Op):
    """z = x log(y), 0 where x == 0 (unless y is NaN);
    dz/dx = log(y) (0 where x == 0 and y <= 0), dz/dy = x / y."""

    arity = 2
    saves = (1, 0)

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            z = x * np.log(y)
        return np.where((x == 0) & ~np.isnan(y), np.zeros((), z.dtype), z)

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                d = g * np.log(y)
                d = np.where(((x == 0) & (y <= 0)) | (g == 0), np.zeros((), d.dtype), d)
                gx = unbroadcast(d, x.shape)
            if self.needs_input_grad[1]:
                gy = unbroadcast(g * x / y, y.shape)
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = sum_to(Xlogy.apply(g, y) * g._make(~((self.x == 0) & (self.y <= 0))), x.shape)
        if self.needs_input_grad[1]:
            gy = sum_to(g * x / y, y.shape)
        return gx, gy


class NotDifferentiable(NotImplementedTwice):
    """z = f(x, y) for a function PyTorch does not differentiate (heaviside, floor_divide):
    the result requires grad as PyTorch's does, and backward raises PyTorch's RuntimeError
    (``derivative for aten::<op> is not implemented``, as :class:`NotImplementedTwice`)."""

    def forward(self, x, y, value, aten):
        self.aten = aten
        return value


class Nextafter(Op):
    """z = the next float after x towards y;  dz/dx = 1, dz/dy = 0 (PyTorch's convention)."""

    arity = 2

    def forward(self, x, y):
        self.xs, self.ys = x.shape, y.shape
        return np.nextafter(x, y)

    def backward(self, g):
        gy = np.zeros(self.ys, g.dtype) if self.needs_input_grad[1] else None
        return unbroadcast(g, self.xs), gy

    def backward_graph(self, g):
        gy = g._make(np.zeros(self.ys, g._data.dtype)) if self.needs_input_grad[1] else None
        return sum_to(g, self.xs), gy
