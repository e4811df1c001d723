r"""Binary cross-entropy, on probabilities (``binary_cross_entropy``) and on logits
(``binary_cross_entropy_with_logits``): argument checks; the ops are in :mod:`mlplab.ops.loss`.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.loss import BCEFn, BCEWithLogitsFn
from ...tensor import Tensor
from ._util import loss_input, same_float
from .classification import _arr


def _bin_target(x: Tensor, target: Any, fn: str) -> tuple[Tensor, Tensor]:
    x, t = same_float(x, target)
    if t._data.shape != x._data.shape:
        raise ValueError(
            f"Using a target size ({t.shape}) that is different to the input size ({x.shape}) is "
            f"deprecated. Please ensure they have the same size."
        )
    return x, t


def _weight_like(w: Any, x: Tensor, name: str) -> np.ndarray | None:
    a = _arr(w, x._data.dtype)
    if a is None:
        return None
    try:
        np.broadcast_shapes(a.shape, x._data.shape)
    except ValueError:
        raise RuntimeError(
            f"{name} of shape {tuple(a.shape)} does not broadcast to the input shape {tuple(x._data.shape)}"
        ) from None
    return a


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""BCE on probabilities: L = -(1/n) \sum [y_i log x_i + (1 - y_i) log(1 - x_i)].

    ``input`` must already be probabilities (e.g. sigmoid output) and ``target`` too: values
    outside [0, 1] (or NaN) in either raise, as in PyTorch.
    Each log is clamped at -100 as PyTorch does, so x = 0 or 1 gives a finite loss (100 per wrong
    element). ``weight`` (broadcastable) rescales each element.
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    x, t = _bin_target(x, target, "binary_cross_entropy")
    xa = x._data
    if xa.size and not (xa.min() >= 0 and xa.max() <= 1):  # NaN fails both tests too
        bad = xa[~((xa >= 0) & (xa <= 1))].flat[0]
        raise RuntimeError(
            f"all elements of input should be between 0 and 1: binary_cross_entropy takes "
            f"probabilities, found {float(bad):.6g}; apply sigmoid first or use "
            f"binary_cross_entropy_with_logits"
        )
    ta = t._data
    if ta.size and not (ta.min() >= 0 and ta.max() <= 1):  # checked after the input, as PyTorch
        bad = ta[~((ta >= 0) & (ta <= 1))].flat[0]
        raise RuntimeError(
            f"all elements of target should be between 0 and 1: binary_cross_entropy takes target "
            f"probabilities (labels 0/1 or soft labels), found {float(bad):.6g}"
        )
    w = _weight_like(weight, x, "binary_cross_entropy: weight")
    return BCEFn.apply(x, t, w, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    r"""Sigmoid + BCE in one stable step: l = -w [q y log \sigma(z) + (1 - y) log(1 - \sigma(z))].

    ``pos_weight`` q (broadcast along the last, class, dimension) weighs positive examples: q > 1
    raises recall. Gradient w.r.t. the logit: \sigma(z) - y (without weights).
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    x, t = _bin_target(x, target, "binary_cross_entropy_with_logits")
    w = _weight_like(weight, x, "binary_cross_entropy_with_logits: weight")
    q = _weight_like(pos_weight, x, "binary_cross_entropy_with_logits: pos_weight")
    return BCEWithLogitsFn.apply(x, t, w, q, reduction)
