r"""Regression losses: L1 (MAE), MSE, Smooth L1 and Huber: argument checks, then one op each in
:mod:`mlplab.ops.loss`.

All take ``reduction`` in {'none', 'mean', 'sum'} (default 'mean': average over every element).
Unlike PyTorch, which only warns and then broadcasts when input and target shapes differ (a
(N, 1) prediction against an (N,) target silently gives an (N, N) loss), these raise.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...ops.loss import HuberLossFn, L1LossFn, MSELossFn, SmoothL1LossFn
from ...tensor import Tensor
from ._util import check_same_shape, loss_input, same_float


def _pointwise(
    fn: type,
    name: str,
    input: Tensor,
    target: Any,
    reduction: str,
    param: Any = None,
    weight: Any = None,
    wmean: bool = True,
    legacy: tuple = (None, None),
) -> Tensor:
    """Check the arguments of a pointwise loss (``legacy``: its ``size_average``, ``reduce``) and
    apply its Op ``fn``."""
    x, reduction = loss_input(input, *legacy, reduction)
    x, t = same_float(x, target)
    check_same_shape(x, t, name)
    if weight is None:
        return fn.apply(x, t, reduction, param)
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != x._data.shape:
        raise ValueError(
            f"{name}: weight shape {tuple(w.shape)} must equal the input shape {tuple(x._data.shape)}"
        )
    return fn.apply(x, t, reduction, param, w.astype(x._data.dtype, copy=False), wmean)


def _weighted_pointwise_loss(fn: type, name: str, doc: str) -> Callable[..., Tensor]:
    """A loss with PyTorch's signature ``(input, target, size_average, reduce, reduction, weight)``
    (l1_loss and mse_loss share it) that applies ``fn``."""

    def loss(
        input: Tensor,
        target: Tensor,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        weight: Any = None,
    ) -> Tensor:
        return _pointwise(fn, name, input, target, reduction, weight=weight, legacy=(size_average, reduce))

    loss.__name__ = loss.__qualname__ = name
    loss.__doc__ = doc
    return loss


l1_loss = _weighted_pointwise_loss(
    L1LossFn,
    "l1_loss",
    r"""L1 / MAE: l_i = |x_i - y_i|, mean over elements by default: L = (1/n) \sum |x_i - y_i|.

    Robust to outliers (gradient magnitude 1 however large the error), not differentiable at 0.
    ``weight`` (input's shape) scales each term; 'mean' then divides by \sum w, as PyTorch.
    """,
)

mse_loss = _weighted_pointwise_loss(
    MSELossFn,
    "mse_loss",
    r"""MSE / "L2 loss": L = (1/n) \sum (x_i - y_i)^2;  dL/dx_i = 2 (x_i - y_i) / n.

    Squaring amplifies large errors: sensitive to outliers, smooth at 0.
    ``weight`` (input's shape) scales each term; 'mean' then divides by \sum w, as PyTorch.
    """,
)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    r"""Smooth L1: l = 0.5 d^2 / \beta for |d| < \beta, |d| - 0.5\beta otherwise (d = x - y, \beta = 1).

    The notes' form (\beta = 1): MSE halved near 0, MAE shifted down by 1/2 beyond, so value and
    slope join at |d| = 1. \beta = 0 is plain L1.
    """
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got {beta})")
    legacy = (size_average, reduce)
    return _pointwise(SmoothL1LossFn, "smooth_l1_loss", input, target, reduction, float(beta), legacy=legacy)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Any = None,
) -> Tensor:
    r"""Huber: l = 0.5 d^2 for |d| < \delta, \delta (|d| - 0.5 \delta) otherwise.

    Equals \delta * smooth_l1(\beta = \delta): the quadratic zone keeps slope 1 at the join instead of
    rescaling it, so the linear part grows like \delta |d|.
    ``weight`` (input's shape) scales each term; 'mean' stays the plain mean (PyTorch's choice here).
    """
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got {delta})")
    return _pointwise(HuberLossFn, "huber_loss", input, target, reduction, float(delta), weight, False)
