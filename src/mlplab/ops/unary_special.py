r"""Special and piecewise elementwise functions: erf, erfc, erfinv, lgamma, digamma, polygamma, i0,
sinc, logit, nan_to_num, and the piecewise-constant ones (sign, round, floor, ceil,
trunc) with frac.

The special functions are SciPy's (``scipy.special``, imported when first used). The
piecewise-constant functions are recorded as PyTorch records them: their derivative is 0, so a
gradient through them is a zero that stays connected to the input.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.op import Op
from .arithmetic import Where
from .elementwise import Exp, Sgn
from .unary_math import quiet

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2


def _special():
    import scipy.special  # noqa: PLC0415 - costs ~50 ms: only when a special function runs

    return scipy.special


def _same(r, x):
    """SciPy's result in x's dtype (its float32 loops already give float32)."""
    return r.astype(x.dtype, copy=False)


def _trigamma(x):
    """psi'(x) as PyTorch computes it, in x's dtype: reflection below 1/2 (psi'(x) = pi^2 /
    sin^2(pi x) - psi'(1 - x)), six steps of psi'(x) = 1/x^2 + psi'(x + 1), then the asymptotic
    series 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7). (SciPy's is more accurate, by up to
    5e-10 relative; this one gives PyTorch's numbers.)"""
    dt = x.dtype.type
    neg = x < 0.5
    with np.errstate(divide="ignore"):
        s = np.sin(dt(math.pi) * x)
        r = np.where(neg, -(dt(math.pi) * dt(math.pi)) / (s * s), dt(0))
        x = np.where(neg, 1 - x, x)
        for _ in range(6):
            r = r + 1 / (x * x)
            x = x + 1
    ixx = 1 / (x * x)
    r = r + (1 + 1 / (2 * x) + ixx * (dt(1 / 6) - ixx * (dt(1 / 30) - ixx * dt(1 / 42)))) / x
    return np.where(neg, -r, r)


def _polygamma(n, x):
    """psi^(n)(x) in x's dtype (n = 0: digamma)."""
    if n == 1:
        return _trigamma(x)
    sp = _special()
    return _same(sp.psi(x) if n == 0 else sp.polygamma(n, x), x)


class Erf(Op):
    """y = erf x = 2/sqrt(pi) int_0^x e^{-t^2} dt;  dy/dx = 2/sqrt(pi) e^{-x^2}."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return _same(_special().erf(x), x)

    @quiet
    def backward(self, g):
        x = self.x
        return g * (_TWO_OVER_SQRT_PI * np.exp(-(x * x)))

    def backward_graph(self, g):
        x = self.parents[0]
        return g * (Exp.apply(-(x * x)) * _TWO_OVER_SQRT_PI)


class Erfc(Op):
    """y = erfc x = 1 - erf x;  dy/dx = -2/sqrt(pi) e^{-x^2}."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return _same(_special().erfc(x), x)

    @quiet
    def backward(self, g):
        x = self.x
        return g * (-_TWO_OVER_SQRT_PI * np.exp(-(x * x)))

    def backward_graph(self, g):
        x = self.parents[0]
        return g * (Exp.apply(-(x * x)) * -_TWO_OVER_SQRT_PI)


class Erfinv(Op):
    """y = erf^{-1}(x) on [-1, 1];  dy/dx = sqrt(pi)/2 e^{y^2}."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        self.y = y = _same(_special().erfinv(x), x)
        return y

    @quiet
    def backward(self, g):
        y = self.y
        with np.errstate(over="ignore"):
            return g * (_SQRT_PI_OVER_TWO * np.exp(y * y))

    def backward_graph(self, g):
        y = Erfinv.apply(self.parents[0])
        return g * (Exp.apply(y * y) * _SQRT_PI_OVER_TWO)


class Polygamma(Op):
    """y = psi^(n)(x), the n-th derivative of digamma psi = (ln Gamma)';  dy/dx = psi^(n+1)(x).

    ``n`` = 0 is digamma (PyTorch's ``digamma``: -inf at 0, NaN at the negative integers)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x, n):
        self.x, self.n = x, n
        return _polygamma(n, x)

    @quiet
    def backward(self, g):
        return g * _polygamma(self.n + 1, self.x)

    def backward_graph(self, g):
        return g * Polygamma.apply(self.parents[0], self.n + 1)


class Digamma(Polygamma):
    """y = psi(x) = d/dx ln Gamma(x) (-inf at 0, NaN at the negative integers);  dy/dx = psi'(x).
    ``Polygamma`` with n = 0, named as PyTorch names ``digamma``'s node."""


class Lgamma(Op):
    """y = ln |Gamma(x)| (+inf at -inf, where SciPy gives -inf);  dy/dx = digamma(x)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        y = _same(_special().gammaln(x), x)
        return np.where(x == -np.inf, np.asarray(np.inf, x.dtype), y)  # ln|Gamma(-inf)| = +inf, as PyTorch

    @quiet
    def backward(self, g):
        return g * _polygamma(0, self.x)

    def backward_graph(self, g):
        return g * Digamma.apply(self.parents[0], 0)


class BesselI(Op):
    """y = I_n(x), the modified Bessel function of the first kind (n = 0: PyTorch's ``i0``);
    dy/dx = (I_{n-1}(x) + I_{n+1}(x)) / 2, with I_{-1} = I_1."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x, n):
        self.x, self.n = x, n
        sp = _special()
        r = sp.i0(x) if n == 0 else sp.i1(x) if n == 1 else sp.iv(n, x)
        return _same(r, x)

    @quiet
    def backward(self, g):
        x, n = self.x, self.n
        if n == 0:
            return g * _same(_special().i1(x), x)
        return g * _same((_special().iv(n - 1, x) + _special().iv(n + 1, x)) / 2, x)

    def backward_graph(self, g):
        x, n = self.parents[0], self.n
        if n == 0:
            return g * BesselI.apply(x, 1)
        return g * ((BesselI.apply(x, n - 1) + BesselI.apply(x, n + 1)) * 0.5)

    def name(self) -> str:
        return "I0Backward0" if self.n == 0 else f"SpecialI{self.n}Backward0"


class Sinc(Op):
    """y = sin(pi x) / (pi x), 1 at 0;  dy/dx = (cos(pi x) - y) / x, 0 at 0."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x):
        self.x = x
        return np.sinc(x)

    @quiet
    def backward(self, g):
        x = self.x
        px = np.pi * x
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (px * np.cos(px) - np.sin(px)) / (px * x)
        return g * np.where(x == 0, 0, d).astype(g.dtype, copy=False)

    def backward_graph(self, g):
        x = self.parents[0]
        px = x * math.pi
        zero = x == 0
        safe = Where.apply(zero, x._make(np.ones((), x._data.dtype)), x)
        d = (px * px.cos() - px.sin()) / (px * safe)
        return g * Where.apply(zero, x._make(np.zeros((), x._data.dtype)), d)


class Logit(Op):
    """y = ln(z / (1 - z)) with z = clamp(x, eps, 1 - eps) when ``eps`` is given, else z = x;
    dy/dx = 1 / (x (1 - x)), 0 outside [eps, 1 - eps] (NaN outside [0, 1] without eps)."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x, eps):
        self.x, self.eps = x, eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    def _outside(self, x):
        if self.eps is None:
            return (x < 0) | (x > 1), np.nan
        return (x < self.eps) | (x > 1 - self.eps), 0.0

    @quiet
    def backward(self, g):
        x = self.x
        out, fill = self._outside(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = g / (x * (1 - x) + 0.0)  # + 0.0: -0.0 -> +0.0 (PyTorch: d/dx at x = -0.0 is +inf)
        return np.where(out, np.asarray(fill, d.dtype), d)

    def backward_graph(self, g):
        x = self.parents[0]
        out, fill = self._outside(x._data)
        d = g / (x * (1 - x) + 0.0)
        return Where.apply(x._make(out), x._make(np.asarray(fill, x._data.dtype)), d)


class NanToNum(Op):
    """y = x with NaN, +inf, -inf replaced by ``nan``, ``posinf``, ``neginf`` (default 0 and the
    dtype's largest and lowest finite values);  dy/dx = 1 where x is finite, else 0."""

    arity = 1
    saves = (0,)

    @quiet
    def forward(self, x, nan, posinf, neginf):
        self.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)

    @quiet
    def backward(self, g):
        return g * self.finite

    def backward_graph(self, g):
        return g * g._make(self.finite.astype(g._data.dtype))


class Frac(Op):
    """y = x - trunc(x) (the sign of x kept);  dy/dx = 1."""

    arity = 1

    @quiet
    def forward(self, x):
        return x - np.trunc(x)

    @quiet
    def backward(self, g):
        return g

    def backward_graph(self, g):
        return g


class Sign(Sgn):
    """y = sign(x) in {-1, 0, 1};  dy/dx = 0 (recorded, as PyTorch)."""

    backward_name = "SignBackward0"


class Round(Sgn):
    """y = x rounded half to even (to ``decimals`` places);  dy/dx = 0 (recorded, as PyTorch)."""

    backward_name = "RoundBackward0"

    @quiet
    def forward(self, x, decimals=None):
        self.shape = x.shape
        if decimals is None:
            return np.round(x)
        self.backward_name = "RoundBackward1"  # torch's node of round(x, decimals=...)
        return np.round(x, decimals)


class Floor(Sgn):
    """y = floor(x);  dy/dx = 0 (recorded, as PyTorch)."""

    backward_name = "FloorBackward0"

    @quiet
    def forward(self, x):
        self.shape = x.shape
        return np.floor(x)


class Ceil(Sgn):
    """y = ceil(x);  dy/dx = 0 (recorded, as PyTorch)."""

    backward_name = "CeilBackward0"

    @quiet
    def forward(self, x):
        self.shape = x.shape
        return np.ceil(x)


class Trunc(Sgn):
    """y = trunc(x), rounded towards 0;  dy/dx = 0 (recorded, as PyTorch)."""

    backward_name = "TruncBackward0"

    @quiet
    def forward(self, x):
        self.shape = x.shape
        return np.trunc(x)


class NoDerivative(Op):
    """y = a value computed without the graph; differentiating y raises NotImplementedError, as
    PyTorch's nodes of the in-place ops it has no derivative for (``asinh_``, ``acosh_``, ``atanh_``)."""

    arity = 1

    @quiet
    def forward(self, x, y, what, node_name):
        self.what, self.backward_name = what, node_name
        return y

    @quiet
    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.what}' is not implemented.")

    def backward_graph(self, g):
        return self.backward(g)


class Angle(Sgn):
    """y = arg(x) for real x: pi where x < 0, else 0 (NaN stays NaN);  dy/dx = 0 (recorded, as
    PyTorch)."""

    backward_name = "AngleBackward0"

    @quiet
    def forward(self, x):
        self.shape = x.shape
        y = np.where(x < 0, np.asarray(math.pi, x.dtype), np.zeros((), x.dtype))
        return np.where(np.isnan(x), x, y)
