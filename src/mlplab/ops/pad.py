"""Constant padding, one ``Op``: the backward crops the padding away again."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from .shape import Index, IndexScatter


class ConstantPadFn(Op):
    """y = x with ``before[d]``/``after[d]`` entries of ``value`` added on each side of axis d
    (negative counts crop);  dL/dx = dL/dy at x's positions (the pad's entries are constants)."""

    arity = 1

    backward_name = "ConstantPadNdBackward0"

    def forward(self, x, before, after, value):
        self.shape = x.shape
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for b, a, n in zip(before, after, x.shape))
        x = x[crop]
        widths = [(max(b, 0), max(a, 0)) for b, a in zip(before, after)]
        self.inner = tuple(slice(b, b + n) for (b, _), n in zip(widths, x.shape))
        self.crop = crop
        return np.pad(x, widths, mode="constant", constant_values=np.asarray(value, dtype=x.dtype))

    def backward(self, g):
        if self.crop == tuple(slice(0, n) for n in self.shape):
            return np.ascontiguousarray(g[self.inner])
        gx = np.zeros(self.shape, dtype=g.dtype)
        gx[self.crop] = g[self.inner]
        return gx

    def backward_graph(self, g):
        inner = Index.apply(g, self.inner, False)
        if self.crop == tuple(slice(0, n) for n in self.shape):
            return inner
        return IndexScatter.apply(inner, self.shape, self.crop, False)
