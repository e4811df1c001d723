r"""Array helpers shared by the ops: stable sigmoid, max-shift for softmax, fast row sums, and
applying a loss reduction to values and gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + e^-x), computed from e^-|x| so that +-1000 neither overflows nor warns."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def shift_by_max(x: np.ndarray, axis: int) -> np.ndarray:
    """x - c, with c the maximum along ``axis``, so that exp(x - c) <= 1 never overflows.

    When the whole array spans less than 64 (the usual case for logits) the global maximum is
    used instead: every exp(x - c) then stays above e^-64, far from underflow, the rounding of
    x - c is bounded by the inputs' own ulp either way, and one global reduction is several
    times cheaper in NumPy than a row-wise one on a small class axis.
    """
    if x.size:
        hi = _max(x, None)
        if hi - _min(x, None) < 64.0:  # False for NaN and inf: they take the row-wise path
            return x - hi
    return x - x.max(axis=axis, keepdims=True)


_max, _min = np.maximum.reduce, np.minimum.reduce  # what ndarray.max/min call, minus a Python layer


_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def row_sum(e: np.ndarray) -> np.ndarray:
    """Sum of each row of a 2-D array, as an (N, 1) column: a BLAS matrix-vector product, about 3x
    faster than ``e.sum(axis=1)`` when rows are short (a class axis of 10)."""
    key = (e.shape[1], e.dtype)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = _ONES[key] = np.ones(key[0], dtype=key[1])
        ones.flags.writeable = False
    return np.dot(e, ones).reshape(-1, 1)


_ZEROS: dict[tuple[tuple, np.dtype], np.ndarray] = {}


def relu_array(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(x, 0) elementwise, into ``out`` if given: bitwise ``np.maximum(x, 0)`` (NaN, -0.0 and
    the dtype included), but against a cached read-only array of zeros of x's shape, for which
    NumPy runs its SIMD loop: about 4x faster than against the broadcast scalar 0 on a
    (128, 256) float32 activation."""
    if x.dtype.kind != "f":
        return np.maximum(x, 0, out=out)
    key = (x.shape, x.dtype)
    zeros = _ZEROS.get(key)
    if zeros is None:
        if len(_ZEROS) > 16:
            _ZEROS.clear()
        zeros = _ZEROS[key] = np.zeros(x.shape, x.dtype)
        zeros.flags.writeable = False
    return np.maximum(x, zeros, out=out)


def reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a reduction to an elementwise loss array; always returns an ndarray."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum())
    n = loss.size
    if n == 0:
        return np.asarray(np.nan, dtype=loss.dtype)
    return np.asarray(loss.sum() / n)  # ndarray.mean costs ~3x more on small arrays


def reduce_grad(g: np.ndarray, shape: tuple, n: int, reduction: str) -> np.ndarray:
    """The incoming gradient of a reduced loss, per element: g, g (broadcast) or g / n."""
    if reduction == "none":
        return g
    if reduction == "mean":
        g = g / n if n else g * np.nan
    return g


def reduce_grad_graph(g: Any, n: int, reduction: str) -> Any:
    """:func:`reduce_grad` on a tensor (``create_graph``): g / n for 'mean', else g; the product
    with a full-size factor broadcasts it."""
    if reduction == "mean":
        return g / n if n else g * math.nan
    return g
