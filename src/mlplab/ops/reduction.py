"""Reductions over all elements or over ``dim`` (int or tuple), with ``keepdim``."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.op import OUTPUT, Op
from ..autograd.tensor_ops import expand_to
from .elementwise import Sgn


def _expand(g: np.ndarray, shape: tuple, axis, keepdim: bool) -> np.ndarray:
    """Re-insert reduced axes into ``g`` and broadcast it to the input ``shape`` (a fresh array:
    filling one is cheaper than ``np.broadcast_to`` on the small tensors that dominate here)."""
    if axis is None:
        out = np.empty(shape, g.dtype)
        out[...] = g.reshape(())
        return out
    if not keepdim:
        g = g.reshape(_kept_shape(shape, axis))
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


def _keep(g: np.ndarray, shape: tuple, axis, keepdim: bool) -> np.ndarray:
    """``g`` reshaped so that it broadcasts against the input ``shape`` (a view, no copy): use it
    where the next operation multiplies by a full-size array anyway."""
    if axis is None:
        return g.reshape((1,) * len(shape))
    return g if keepdim else g.reshape(_kept_shape(shape, axis))


def _kept_shape(shape: tuple, axis: tuple) -> tuple:
    """``shape`` with the reduced ``axis`` entries set to 1 (the keepdim shape)."""
    return tuple([1 if i in axis else n for i, n in enumerate(shape)])


def _count(shape: tuple, axis) -> int:
    n = 1
    for i, k in enumerate(shape):
        if axis is None or i in axis:
            n *= k
    return n


class Sum(Op):
    """y = sum_i x_i;  dy/dx_i = 1."""

    arity = 1

    def forward(self, x, axis, keepdim):
        self.shape, self.axis, self.keep = x.shape, axis, keepdim
        return np.asarray(np.add.reduce(x, axis=axis, keepdims=keepdim))

    def name(self) -> str:
        return "SumBackward0" if self.axis is None else "SumBackward1"

    def backward(self, g):
        return _expand(g, self.shape, self.axis, self.keep)

    def backward_graph(self, g):
        return expand_to(g, self.shape, self.axis, self.keep)


class Mean(Op):
    """y = (1/N) sum_i x_i;  dy/dx_i = 1/N."""

    arity = 1

    def forward(self, x, axis, keepdim):
        self.shape, self.axis, self.keep = x.shape, axis, keepdim
        self.n = n = _count(x.shape, axis)
        if n == 0 or x.dtype.itemsize < 4:
            # empty: NaN without NumPy's warning (as PyTorch); float16: NumPy's wider accumulator
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(x.mean(axis=axis, keepdims=keepdim))
        return np.asarray(np.add.reduce(x, axis=axis, keepdims=keepdim) / n)

    def name(self) -> str:
        return "MeanBackward0" if self.axis is None else "MeanBackward1"

    def backward(self, g):
        return _expand(g * (1.0 / self.n) if self.n else g, self.shape, self.axis, self.keep)

    def backward_graph(self, g):
        return expand_to(g * (1.0 / self.n) if self.n else g, self.shape, self.axis, self.keep)


class Var(Op):
    """y = sum_i (x_i - mean)^2 / (N - correction);  dy/dx_i = 2 (x_i - mean) / (N - correction).

    ``correction=1`` (the default, PyTorch's ``unbiased=True``) is Bessel's correction; with
    N - correction <= 0 the result is NaN (or inf), silently, as in PyTorch.
    """

    arity = 1
    saves = (0,)  # as PyTorch

    def forward(self, x, axis, correction, keepdim):
        self.axis, self.keep = axis, keepdim
        self.d = d = x - x.mean(axis=axis, keepdims=True)
        self.den = den = max(0, _count(x.shape, axis) - correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((d * d).sum(axis=axis, keepdims=keepdim) / den)

    def backward(self, g):
        g = _keep(g, self.d.shape, self.axis, self.keep)
        scale = 2.0 / self.den if self.den else math.inf
        with np.errstate(invalid="ignore"):
            return g * self.d * scale

    def backward_graph(self, g):
        x = self.parents[0]
        d = x - Mean.apply(x, self.axis, True)
        scale = 2.0 / self.den if self.den else math.inf
        return g.reshape(_kept(self.d.shape, self.axis)) * d * scale


class Std(Op):
    """y = sqrt(var(x));  dy/dx_i = (x_i - mean) / ((N - correction) y), 0 where y == 0 (PyTorch)."""

    arity = 1
    saves = (0, OUTPUT)

    def forward(self, x, axis, correction, keepdim):
        self.axis, self.keep = axis, keepdim
        self.d = d = x - x.mean(axis=axis, keepdims=True)
        self.den = max(0, _count(x.shape, axis) - correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.y = np.asarray(np.sqrt((d * d).sum(axis=axis, keepdims=keepdim) / self.den))
        return self.y

    def backward(self, g):
        y = self.y
        with np.errstate(divide="ignore", invalid="ignore"):
            q = g / (y * float(self.den))
        if not y.all():
            q = np.where(y == 0, np.zeros((), q.dtype), q)
        with np.errstate(invalid="ignore"):
            return _keep(q, self.d.shape, self.axis, self.keep) * self.d

    def backward_graph(self, g):
        x = self.parents[0]
        d = x - Mean.apply(x, self.axis, True)
        y = Std.apply(x, self.axis, _count(self.d.shape, self.axis) - self.den, True)
        q = g.reshape(_kept(self.d.shape, self.axis)) / (y * float(self.den))
        if not self.y.all():
            q = q.masked_fill(self.y.reshape(tuple(q.shape)) == 0, 0.0)
        return q * d


class AMax(Op):
    """y = max over ``axis`` (all if None); the gradient is shared evenly among tied maxima."""

    arity = 1
    saves = (0, OUTPUT)

    is_min = False
    backward_name = "AmaxBackward0"

    def forward(self, x, axis, keepdim):
        self.x, self.axis, self.keep = x, axis, keepdim
        f = np.min if self.is_min else np.max
        self.y = y = np.asarray(f(x, axis=axis, keepdims=keepdim))
        return y

    def backward(self, g):
        x = self.x
        mask = x == _keep(self.y, x.shape, self.axis, self.keep)
        n = mask.sum(axis=self.axis, keepdims=True, dtype=g.dtype)
        return _keep(g, x.shape, self.axis, self.keep) / n * mask

    def backward_graph(self, g):
        """g mask / n recorded: linear in g, the tie mask a constant (the second derivative in x is 0)."""
        x = self.x
        mask = x == _keep(self.y, x.shape, self.axis, self.keep)
        share = mask / mask.sum(axis=self.axis, keepdims=True, dtype=g._data.dtype)
        return g.reshape(_kept(x.shape, self.axis)) * g._make(share.astype(g._data.dtype, copy=False))


class AMin(AMax):
    """y = min over ``axis``; the gradient is shared evenly among tied minima."""

    is_min = True
    backward_name = "AminBackward0"


class MaxAll(AMax):
    """y = max of all elements (``x.max()``); tied maxima share the gradient evenly."""

    backward_name = "MaxBackward1"


class MinAll(AMax):
    """y = min of all elements (``x.min()``); tied minima share the gradient evenly."""

    is_min = True
    backward_name = "MinBackward1"


class MaxDim(Op):
    """values = max(x, dim); the gradient goes to the element at the returned index."""

    arity = 1

    backward_name = "MaxBackward0"

    def forward(self, x, dim, keepdim, idx):
        # idx: the arg-max/min along dim with keepdims (the caller returns it as ``indices``)
        self.shape, self.dim, self.keep, self.idx = x.shape, dim, keepdim, idx
        v = np.take_along_axis(x, idx, axis=dim)
        return v if keepdim else v.squeeze(dim)

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if not self.keep:
            g = np.expand_dims(g, self.dim)
        np.put_along_axis(out, self.idx, g, axis=self.dim)
        return out

    def backward_graph(self, g):
        """g placed at the index, recorded as g * one_hot(index) (linear in g)."""
        n = self.shape[self.dim]
        pos = np.arange(n).reshape((n,) + (1,) * (len(self.shape) - 1 - self.dim))
        hot = (pos == self.idx).astype(g._data.dtype)
        if not self.keep:
            g = g.unsqueeze(self.dim)
        return g * g._make(hot)


class MinDim(MaxDim):
    """values = min(x, dim); the gradient goes to the element at the returned index."""

    backward_name = "MinBackward0"


class LogSumExp(Op):
    """y = log sum_i e^{x_i} = m + log sum_i e^{x_i - m} (m = max, for stability);
    dy/dx_i = e^{x_i - y} = softmax(x)_i.

    An infinite maximum is not subtracted (as PyTorch): all -inf gives -inf, any +inf gives +inf.
    """

    arity = 1
    saves = (0, OUTPUT)

    backward_name = "LogsumexpBackward0"

    def forward(self, x, axis, keepdim):
        self.x, self.axis, self.keep = x, axis, keepdim
        m = np.maximum.reduce(x, axis=axis, keepdims=True)
        self.finite = finite = bool(np.isfinite(m).all())
        if finite:
            s = np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True)) + m
        else:
            m = np.where(np.isinf(m), np.zeros((), m.dtype), m)
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True)) + m
        self.s = s
        if keepdim:
            return s
        return s.reshape(()) if axis is None else np.squeeze(s, axis=axis)

    def backward(self, g):
        g = _keep(g, self.x.shape, self.axis, self.keep)
        if self.finite:
            return g * np.exp(self.x - self.s)
        with np.errstate(invalid="ignore"):
            return g * np.exp(self.x - self.s)

    def backward_graph(self, g):
        """g e^{x - y}, recorded (y recomputed from x); with infinities, the nan of inf - inf as torch."""
        x = self.parents[0]
        with np.errstate(invalid="ignore"):
            return g.reshape(_kept(self.x.shape, self.axis)) * (x - LogSumExp.apply(x, self.axis, True)).exp()


class Norm(Op):
    """Vector p-norm ||x||_p = (sum |x_i|^p)^(1/p) over ``axis``;
    d/dx_i = sign(x_i) |x_i|^(p-1) / ||x||^(p-1).

    p=2 (default, also 'fro'), p=1, p=inf (max |x_i|), p=-inf (min |x_i|), p=0 (count of non-zeros,
    gradient 0) and any other real p. Where the norm is 0 the gradient is 0, and for p < 1 the
    gradient at x_i = 0 is 0, both as in PyTorch. Ties of p=+-inf share the gradient evenly.
    """

    arity = 1
    saves = (0, OUTPUT)

    backward_name = "LinalgVectorNormBackward0"

    def forward(self, x, p, axis, keepdim):
        self.x, self.p, self.axis, self.keep = x, p, axis, keepdim
        if p == 2:
            y = np.sqrt((x * x).sum(axis=axis, keepdims=True))
        elif p == 1:
            y = np.abs(x).sum(axis=axis, keepdims=True)
        elif p == math.inf:
            y = np.abs(x).max(axis=axis, keepdims=True)
        elif p == -math.inf:
            y = np.abs(x).min(axis=axis, keepdims=True)
        elif p == 0:
            y = (x != 0).sum(axis=axis, keepdims=True, dtype=x.dtype)
        else:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                y = (np.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1.0 / p)
        self.y = y
        if keepdim:
            return y
        return y.reshape(()) if axis is None else np.squeeze(y, axis=axis)

    def backward(self, g):
        x, p, y = self.x, self.p, self.y
        g = g.reshape(y.shape) if (self.keep or self.axis is None) else np.expand_dims(g, self.axis)
        zero = np.zeros((), x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                r = x / y
            elif p == 1:
                r = np.sign(x)
            elif p == 0:
                return np.zeros(x.shape, dtype=g.dtype)
            elif p == math.inf or p == -math.inf:
                m = np.abs(x) == y
                r = np.sign(x) * m / m.sum(axis=self.axis, keepdims=True, dtype=x.dtype)
            else:
                r = np.sign(x) * np.abs(x) ** (p - 1) / y ** (p - 1)
                if p < 1:
                    r = np.where(x == 0, zero, r)
            if not y.all():
                r = np.where(y == 0, zero, r)
        return g * r

    def backward_graph(self, g):
        """The formulas above, recorded: p = 1, +-inf and 0 are linear in g (constant factors)."""
        x, p = self.parents[0], self.p
        g = g.reshape(self.y.shape)
        if p == 1 or p == 0 or math.isinf(p):
            ones = np.ones(
                self.y.shape if self.keep or self.axis is None else np.squeeze(self.y, self.axis).shape
            )
            r = self.backward(ones.astype(self.x.dtype))
            if p == 0:
                return g * g._make(r)
            # sign(x) * (g |r|): as torch's sgn(x) * ..., connected to x with a zero derivative
            return Sgn.apply(x) * (g * g._make(np.abs(r)))
        if p != 2:
            a = x.abs()
            ya = Norm.apply(x, p, self.axis, True)
            r = g._make(np.sign(self.x)) * a ** (p - 1) / ya ** (p - 1)
            if p < 1:
                r = r.masked_fill(self.x == 0, 0.0)
            if not self.y.all():
                r = r.masked_fill(np.broadcast_to(self.y == 0, self.x.shape), 0.0)
            return g * r
        r = x / Norm.apply(x, 2.0, self.axis, True)
        if not self.y.all():
            r = r.masked_fill(np.broadcast_to(self.y == 0, self.x.shape), 0.0)
        return g * r


def _kept(shape: tuple, axis) -> tuple:
    """``shape`` with the reduced axes (all when ``axis`` is None) set to 1."""
    return (1,) * len(shape) if axis is None else _kept_shape(shape, axis)


class CumSum(Op):
    """y_i = sum_{j <= i} x_j along ``axis``;  dL/dx_j = sum_{i >= j} dL/dy_i (a reversed cumsum)."""

    arity = 1

    def forward(self, x, axis):
        self.axis = axis
        return np.cumsum(x, axis=axis)

    def backward(self, g):
        rev = np.flip(g, self.axis)
        return np.flip(np.cumsum(rev, axis=self.axis), self.axis)

    def backward_graph(self, g):
        """sum_{i >= j} g_i = sum(g) - cumsum(g)_j + g_j, recorded."""
        return g.sum(dim=self.axis, keepdim=True) - CumSum.apply(g, self.axis) + g
