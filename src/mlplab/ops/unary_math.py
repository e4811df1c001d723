r"""More elementwise functions y_i = f(x_i), dL/dx_i = f'(x_i) g_i: trigonometric and hyperbolic
functions and their inverses, exp2/expm1, log2/log10/log1p, rsqrt, reciprocal, deg2rad/rad2deg.

Each ``backward_graph`` writes the same derivative with tensor ops, so it differentiates again.
Forward and backward run without NumPy's floating-point warnings (:func:`quiet`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.op import OUTPUT, Op


def quiet(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` without NumPy's floating-point warnings: as PyTorch, these functions return inf and
    NaN where the mathematics gives them (tan near pi/2, sinh(1000), asin(2), 1/0) and say nothing."""

    @functools.wraps(f)
    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return f(*args)

    return run


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Tan(Op):
    """y = tan x;  dy/dx = 1 + y^2."""

    arity = 1
    saves = (OUTPUT,)

    @quiet
    def forward(self, x):
        self.y = y = np.tan(x)
        return y

    @quiet
    def backward(self, g):
        return g * (1 + self.y * self.y)

    def backward_graph(self, g):
        y = Tan.apply(self.parents[0])
        return g * (1 + y * y)


class Sinh(Op):
    """y = sinh x;  dy/dx = cosh x."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return np.sinh(x)

    @quiet
    def backward(self, g):
        return g * np.cosh(self.x)

    def backward_graph(self, g):
        return g * Cosh.apply(self.parents[0])


class Cosh(Op):
    """y = cosh x;  dy/dx = sinh x."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return np.cosh(x)

    @quiet
    def backward(self, g):
        return g * np.sinh(self.x)

    def backward_graph(self, g):
        return g * Sinh.apply(self.parents[0])


class Asin(Op):
    """y = asin x;  dy/dx = 1 / sqrt(1 - x^2)  (NaN outside [-1, 1], as PyTorch)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @quiet
    def backward(self, g):
        x = self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / np.sqrt(1 - x * x)

    def backward_graph(self, g):
        x = self.parents[0]
        return g / (1 - x * x).sqrt()


class Acos(Op):
    """y = acos x;  dy/dx = -1 / sqrt(1 - x^2)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @quiet
    def backward(self, g):
        x = self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g / np.sqrt(1 - x * x)

    def backward_graph(self, g):
        x = self.parents[0]
        return -g / (1 - x * x).sqrt()


class Atan(Op):
    """y = atan x;  dy/dx = 1 / (1 + x^2)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return np.arctan(x)

    @quiet
    def backward(self, g):
        x = self.x
        return g / (1 + x * x)

    def backward_graph(self, g):
        x = self.parents[0]
        return g / (1 + x * x)


class Asinh(Op):
    """y = asinh x;  dy/dx = 1 / sqrt(x^2 + 1)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return np.arcsinh(x)

    @quiet
    def backward(self, g):
        x = self.x
        return g / np.sqrt(x * x + 1)

    def backward_graph(self, g):
        x = self.parents[0]
        return g / (x * x + 1).sqrt()


class Acosh(Op):
    """y = acosh x;  dy/dx = 1 / sqrt(x^2 - 1)  (NaN below 1)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @quiet
    def backward(self, g):
        x = self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / np.sqrt(x * x - 1)

    def backward_graph(self, g):
        x = self.parents[0]
        return g / (x * x - 1).sqrt()


class Atanh(Op):
    """y = atanh x;  dy/dx = 1 / (1 - x^2)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    @quiet
    def backward(self, g):
        x = self.x
        with np.errstate(divide="ignore"):
            return g / (1 - x * x)

    def backward_graph(self, g):
        x = self.parents[0]
        return g / (1 - x * x)


class Exp2(Op):
    """y = 2^x;  dy/dx = y ln 2."""

    arity = 1
    saves = (OUTPUT,)

    @quiet
    def forward(self, x):
        self.y = y = np.exp2(x)
        return y

    @quiet
    def backward(self, g):
        return g * (self.y * _LN2)

    def backward_graph(self, g):
        return g * (Exp2.apply(self.parents[0]) * _LN2)


class Expm1(Op):
    """y = e^x - 1 (exact for small x);  dy/dx = y + 1."""

    arity = 1
    saves = (OUTPUT,)

    @quiet
    def forward(self, x):
        self.y = y = np.expm1(x)
        return y

    @quiet
    def backward(self, g):
        return g * (self.y + 1)

    def backward_graph(self, g):
        return g * (Expm1.apply(self.parents[0]) + 1)


class _LogBase(Op):
    """y = log_b x = ln x / ln b;  dy/dx = 1 / (x ln b) (subclasses set the NumPy function and ln b)."""

    arity = 1
    saves = (0,)
    _log: Any = None
    _ln_base = 1.0

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return type(self)._log(x)

    @quiet
    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (self.x * self._ln_base)

    def backward_graph(self, g):
        return g / (self.parents[0] * self._ln_base)


class Log2(_LogBase):
    """y = log2 x;  dy/dx = 1 / (x ln 2)."""

    _log = staticmethod(np.log2)
    _ln_base = _LN2


class Log10(_LogBase):
    """y = log10 x;  dy/dx = 1 / (x ln 10)."""

    _log = staticmethod(np.log10)
    _ln_base = _LN10


class Log1p(Op):
    """y = ln(1 + x) (exact for small x);  dy/dx = 1 / (1 + x)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @quiet
    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (self.x + 1)

    def backward_graph(self, g):
        return g / (self.parents[0] + 1)


class Rsqrt(Op):
    """y = 1 / sqrt(x);  dy/dx = -y^3 / 2."""

    arity = 1
    saves = (OUTPUT,)

    @quiet
    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            self.y = y = 1 / np.sqrt(x)
        return y

    @quiet
    def backward(self, g):
        y = self.y
        return g * (-0.5 * y * y * y)

    def backward_graph(self, g):
        y = Rsqrt.apply(self.parents[0])
        return g * (-0.5 * y * y * y)


class Reciprocal(Op):
    """y = 1 / x;  dy/dx = -y^2."""

    arity = 1
    saves = (OUTPUT,)

    @quiet
    def forward(self, x):
        with np.errstate(divide="ignore"):
            self.y = y = 1 / x
        return y

    @quiet
    def backward(self, g):
        y = self.y
        return g * -(y * y)

    def backward_graph(self, g):
        y = Reciprocal.apply(self.parents[0])
        return g * -(y * y)


class Deg2Rad(Op):
    """y = x pi / 180;  dy/dx = pi / 180."""

    arity = 1
    scale = math.pi / 180

    @quiet
    def forward(self, x):
        return x * self.scale

    @quiet
    def backward(self, g):
        return g * self.scale

    def backward_graph(self, g):
        return g * self.scale


class Rad2Deg(Deg2Rad):
    """y = x 180 / pi;  dy/dx = 180 / pi."""

    scale = 180 / math.pi
