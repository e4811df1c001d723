r"""Piecewise-linear activations, each a ``Op`` with its derivative: Hardtanh (and ReLU6, its
[0, 6] case), Hardsigmoid, Hardswish, Threshold.

At a kink the derivative takes PyTorch's one-sided choice, written in each docstring.
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from .not_twice import not_implemented_twice


class HardtanhFn(Op):
    """y = clamp(x, lo, hi);  dy/dx = 1 for lo < x < hi, else 0 (0 at both kinks, as PyTorch)."""

    arity = 1

    backward_name = "HardtanhBackward0"

    def forward(self, x, lo, hi):
        self.inside = (x > lo) & (x < hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, g):
        return g * self.inside

    def backward_graph(self, g):
        return g * g._make(self.inside.astype(g._data.dtype))


# PyTorch's hardsigmoid backward multiplies by the float32 constant 1.0f / 6.0f in every dtype
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


class HardsigmoidFn(Op):
    """y = relu6(x + 3) / 6 = clamp(x/6 + 1/2, 0, 1);  dy/dx = 1/6 for -3 < x < 3, else 0
    (the 1/6 of the derivative rounded to float32, as PyTorch's kernel, also in float64)."""

    arity = 1

    backward_name = "HardsigmoidBackward0"

    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return np.clip(x + 3, 0, 6) / 6

    def backward(self, g):
        return g * (self.inside * _ONE_SIXTH_F32).astype(g.dtype, copy=False)

    def backward_graph(self, g):
        """PyTorch does not differentiate hardsigmoid twice: the gradient raises when it is."""
        return not_implemented_twice(self.backward(g._data), "aten::hardsigmoid_backward", g, self.parents[0])


class HardswishFn(Op):
    """y = x relu6(x + 3) / 6;  dy/dx = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3
    (PyTorch's choice at the kinks: the outer pieces' slopes, 0 at -3 and 1 at 3)."""

    arity = 1

    backward_name = "HardswishBackward0"

    def forward(self, x):
        self.x = x
        return x * (np.clip(x + 3, 0, 6) / 6)

    def backward(self, g):
        x = self.x
        d = np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0)).astype(x.dtype, copy=False)
        return g * d

    def backward_graph(self, g):
        x, dt = self.parents[0], g._data.dtype
        mid, hi = g._make(((self.x > -3) & (self.x < 3)).astype(dt)), g._make((self.x >= 3).astype(dt))
        return g * (mid * (x / 3 + 0.5) + hi)


class ThresholdFn(Op):
    """y = x if x > threshold else value;  dy/dx = 1 if x > threshold else 0."""

    arity = 1

    backward_name = "ThresholdBackward0"

    def forward(self, x, threshold, value):
        self.keep = keep = x > threshold
        return np.where(keep, x, np.asarray(value, dtype=x.dtype))

    def backward(self, g):
        return g * self.keep

    def backward_graph(self, g):
        return g * g._make(self.keep.astype(g._data.dtype))
