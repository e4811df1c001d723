"""Reductions over all elements or over ``dim`` (int or tuple), with ``keepdim``."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


def _expand(g: np.ndarray, shape: tuple, axis, keepdim: bool) -> np.ndarray:
    """Re-insert reduced axes into ``g`` so that it broadcasts against the input ``shape``."""
    if axis is None:
        return np.broadcast_to(g.reshape((1,) * len(shape)), shape)
    if not keepdim:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def _count(shape: tuple, axis) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[a] for a in axis], dtype=np.int64))


class Sum(Function):
    """y = sum_i x_i;  dy/dx_i = 1."""

    def forward(self, x, axis, keepdim):
        self.shape, self.axis, self.keep = x.shape, axis, keepdim
        return np.asarray(x.sum(axis=axis, keepdims=keepdim))

    def backward(self, g):
        return _expand(g, self.shape, self.axis, self.keep)


class Mean(Function):
    """y = (1/N) sum_i x_i;  dy/dx_i = 1/N."""

    def forward(self, x, axis, keepdim):
        self.shape, self.axis, self.keep = x.shape, axis, keepdim
        return np.asarray(x.mean(axis=axis, keepdims=keepdim))

    def backward(self, g):
        n = _count(self.shape, self.axis)
        return _expand(g / n, self.shape, self.axis, self.keep)


class Var(Function):
    """y = sum_i (x_i - mean)^2 / (N - correction);  dy/dx_i = 2 (x_i - mean) / (N - correction).

    ``correction=1`` (the default, PyTorch's ``unbiased=True``) is Bessel's correction.
    """

    def forward(self, x, axis, correction, keepdim):
        self.axis, self.keep = axis, keepdim
        self.d = x - x.mean(axis=axis, keepdims=True)
        self.den = _count(x.shape, axis) - correction
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((self.d * self.d).sum(axis=axis, keepdims=keepdim) / self.den)

    def backward(self, g):
        g = _expand(g, self.d.shape, self.axis, self.keep)
        return g * self.d * (2.0 / self.den)


class Std(Function):
    """y = sqrt(var(x));  dy/dx_i = (x_i - mean) / ((N - correction) y)."""

    def forward(self, x, axis, correction, keepdim):
        self.axis, self.keep = axis, keepdim
        self.d = x - x.mean(axis=axis, keepdims=True)
        self.den = _count(x.shape, axis) - correction
        with np.errstate(divide="ignore", invalid="ignore"):
            self.y = np.asarray(np.sqrt((self.d * self.d).sum(axis=axis, keepdims=keepdim) / self.den))
        return self.y

    def backward(self, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            q = g / (self.y * self.den)
        return _expand(q, self.d.shape, self.axis, self.keep) * self.d


class AMax(Function):
    """y = max over ``axis`` (all if None); the gradient is shared evenly among tied maxima."""

    is_min = False

    def forward(self, x, axis, keepdim):
        self.x, self.axis, self.keep = x, axis, keepdim
        f = np.min if self.is_min else np.max
        self.y = y = np.asarray(f(x, axis=axis, keepdims=keepdim))
        return y

    def backward(self, g):
        x = self.x
        y = _expand(self.y, x.shape, self.axis, self.keep)
        mask = x == y
        n = mask.sum(axis=self.axis, keepdims=True)
        g = _expand(g, x.shape, self.axis, self.keep)
        return g * mask / n


class AMin(AMax):
    """y = min over ``axis``; the gradient is shared evenly among tied minima."""

    is_min = True


class MaxDim(Function):
    """values = max(x, dim); the gradient goes to the element at the returned index."""

    is_min = False

    def forward(self, x, dim, keepdim):
        self.shape, self.dim, self.keep = x.shape, dim, keepdim
        f = np.argmin if self.is_min else np.argmax
        idx = f(x, axis=dim, keepdims=True)
        self.idx = idx
        v = np.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            v = np.squeeze(v, axis=dim)
            idx = np.squeeze(idx, axis=dim)
        self.out_idx = idx.astype(np.int64)
        return v

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if not self.keep:
            g = np.expand_dims(g, self.dim)
        np.put_along_axis(out, self.idx, g, axis=self.dim)
        return out


class MinDim(MaxDim):
    """values = min(x, dim); the gradient goes to the element at the returned index."""

    is_min = True


class LogSumExp(Function):
    """y = log sum_i e^{x_i} = m + log sum_i e^{x_i - m} (m = max, for stability);
    dy/dx_i = softmax(x)_i."""

    def forward(self, x, axis, keepdim):
        self.x, self.axis, self.keep = x, axis, keepdim
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        s = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        self.s = s
        return s if keepdim else np.squeeze(s, axis=axis)

    def backward(self, g):
        g = _expand(g, self.x.shape, self.axis, self.keep)
        return g * np.exp(self.x - self.s)


class Norm(Function):
    """p-norm ||x||_p = (sum |x_i|^p)^(1/p);  d/dx_i = sign(x_i) |x_i|^(p-1) / ||x||^(p-1).

    p=2 (default, also 'fro'), p=1, p=inf and any p > 0; at x = 0 the gradient is 0 as in PyTorch.
    """

    def forward(self, x, p, axis, keepdim):
        self.x, self.p, self.axis, self.keep = x, p, axis, keepdim
        a = np.abs(x)
        if p == 2:
            y = np.sqrt((x * x).sum(axis=axis, keepdims=True))
        elif p == 1:
            y = a.sum(axis=axis, keepdims=True)
        elif p == np.inf:
            y = a.max(axis=axis, keepdims=True)
        else:
            y = (a**p).sum(axis=axis, keepdims=True) ** (1.0 / p)
        self.y = y
        return y if keepdim else np.squeeze(y, axis=axis) if axis is not None else y.reshape(())

    def backward(self, g):
        x, p, y = self.x, self.p, self.y
        g = g.reshape(y.shape) if (self.keep or self.axis is None) else np.expand_dims(g, self.axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                r = x / y
            elif p == 1:
                r = np.sign(x)
            elif p == np.inf:
                m = np.abs(x) == y
                r = np.sign(x) * m / m.sum(axis=self.axis, keepdims=True)
            else:
                r = np.sign(x) * np.abs(x) ** (p - 1) / y ** (p - 1)
        r = np.where(y == 0, 0, r).astype(x.dtype, copy=False)
        return g * r
