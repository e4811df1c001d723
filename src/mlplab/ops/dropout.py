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


class AffineMaskFn(Op):
    """y = x * a + c for fixed arrays a, c (alpha dropout's rescaled mask and shift);  dL/dx = g * a."""

    arity = 1

    backward_name = "AddBackward0"

    def forward(self, x, a, c):
        self.a = a
        return x * a + c

    def backward(self, g):
        return g * self.a

    def backward_graph(self, g):
        return g * g._make(np.asarray(self.a, g._data.dtype))


# SELU's negative saturation value, -scale * alpha: what alpha dropout sets dropped units to
SELU_NEG_SATURATION = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


def alpha_dropout_arrays(shape: tuple, p: float, dtype: np.dtype, generator: Any = None) -> tuple:
    r"""Alpha dropout's (a, c) for y = x a + c: keep mask m ~ Bernoulli(1 - p); dropped units go to
    \alpha' = -\lambda\alpha, then y is rescaled by A = ((1 - p)(1 + p \alpha'^2))^{-1/2} and shifted by
    B = -A \alpha' p, which keeps zero mean and unit variance for SELU activations."""
    al = SELU_NEG_SATURATION
    if p >= 1.0:
        return np.zeros(shape, dtype=dtype), np.zeros(shape, dtype=dtype)
    rdt = dtype if dtype in (np.float32, np.float64) else np.float64
    keep = (_random.rng(generator).random(shape, dtype=rdt) >= p).astype(dtype)
    a_ = ((1 - p) * (1 + p * al * al)) ** -0.5
    b_ = -a_ * al * p
    return (keep * a_).astype(dtype), ((1 - keep) * (a_ * al) + b_).astype(dtype)
