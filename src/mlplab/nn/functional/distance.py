r"""Distances and shapes between vectors: ``pairwise_distance``, ``cosine_similarity``,
``normalize``, and ``pad`` (constant mode): argument checks, then one op each
(:mod:`mlplab.ops.distance`, :mod:`mlplab.ops.pad`)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._tensor.arith import _raise_broadcast
from ...ops.distance import CosineSimilarityFn, NormalizeFn, PairwiseDistanceFn
from ...ops.pad import ConstantPadFn
from ...tensor import Tensor, _one_dim
from ._util import float_input, same_float


def broadcast_shape(sa: tuple, sb: tuple, op: str) -> tuple:
    """The shape ``sa`` and ``sb`` broadcast to (PyTorch's RuntimeError when they do not)."""
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        _raise_broadcast(sa, sb, op)
        raise


def _pair(x1: Tensor, x2: Any) -> tuple[Tensor, Tensor]:
    """Both as one float dtype (an integer one takes the other's, as PyTorch's promotion)."""
    if isinstance(x1, Tensor) and x1._data.dtype.kind != "f" and isinstance(x2, Tensor):
        b, a = same_float(float_input(x2, "x2"), x1)
        return a, b
    return same_float(float_input(x1, "x1"), x2)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    r"""d = ||x_1 - x_2 + \epsilon||_p along the last dimension (x_1, x_2 broadcast; \epsilon = 1e-6
    keeps the norm's derivative finite when x_1 = x_2)."""
    a, b = _pair(x1, x2)
    broadcast_shape(a._data.shape, b._data.shape, "pairwise_distance")
    return PairwiseDistanceFn.apply(a, b, float(p), float(eps), bool(keepdim))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    r"""cos(x_1, x_2) = \sum x_1 x_2 / (max(||x_1||, \epsilon) max(||x_2||, \epsilon)) along ``dim``
    (x_1, x_2 broadcast), in [-1, 1]."""
    a, b = _pair(x1, x2)
    shape = broadcast_shape(a._data.shape, b._data.shape, "cosine_similarity")
    d = _one_dim(int(dim), len(shape))
    if not shape:
        a, b = a.reshape(1), b.reshape(1)
        return CosineSimilarityFn.apply(a, b, 0, float(eps)).reshape(())
    return CosineSimilarityFn.apply(a, b, d, float(eps))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    r"""x / max(||x||_p, \epsilon) along ``dim``: every slice scaled to unit p-norm (zero slices stay 0)."""
    if out is not None:
        raise TypeError("normalize(): mlplab does not support out=; use the returned tensor")
    x = float_input(input)
    d = _one_dim(int(dim), x._data.ndim)
    if x._data.ndim == 0:
        return NormalizeFn.apply(x.reshape(1), float(p), 0, float(eps)).reshape(())
    return NormalizeFn.apply(x, float(p), d, float(eps))


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    r"""Pad with ``value`` (default 0): ``pad`` = (left, right) for the last dimension, then
    (top, bottom) for the one before, ...; negative counts crop. Only ``mode='constant'``."""
    if mode != "constant":
        raise NotImplementedError(
            f"pad(mode={mode!r}): mlplab supports only mode='constant' (reflect, replicate and "
            "circular padding serve convolutions, which are not in mlplab's scope)"
        )
    pad = [int(n) for n in pad]
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got "
            f"padding length {len(pad)} and input of dimension {nd}"
        )
    k = len(pad) // 2
    before = [0] * (nd - k) + [pad[2 * i] for i in reversed(range(k))]
    after = [0] * (nd - k) + [pad[2 * i + 1] for i in reversed(range(k))]
    for d, (b, a, n) in enumerate(zip(before, after, input._data.shape)):
        if n + b + a < 0:
            raise RuntimeError(
                f"The input size {n}, plus negative padding {b} and {a} resulted in a negative output "
                f"size, which is invalid. Check dimension {d} of your input."
            )
    return ConstantPadFn.apply(input, tuple(before), tuple(after), 0.0 if value is None else value)


__all__ = ["cosine_similarity", "normalize", "pad", "pairwise_distance"]
