r"""Inverted dropout: a fixed random mask multiplies the input (the mask is drawn here too)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random
from ..autograd.op import Op


class MaskFn(Op):
    """y = x * m for a fixed mask m;  dL/dx = g * m."""

    arity = 1

    backward_name = "MulBackward0"

    def forward(self, x, m):
        self.m = m
        return x * m

    def backward(self, g):
        return g * self.m

    def backward_graph(self, g):
        return g * g._make(self.m)


def dropout_mask(shape: tuple, p: float, dtype: np.dtype, generator: Any = None) -> np.ndarray:
    """The inverted-dropout mask: 0 with probability p, 1/(1-p) otherwise (drawn from mlplab's RNG)."""
    if p >= 1.0:
        return np.zeros(shape, dtype=dtype)
    rdt = dtype if dtype in (np.float32, np.float64) else np.float64
    keep = _random.rng(generator).random(shape, dtype=rdt) >= p
    return np.multiply(keep, 1.0 / (1.0 - p), dtype=dtype)
