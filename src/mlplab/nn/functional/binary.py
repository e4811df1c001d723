r"""Binary cross-entropy, on probabilities (``binary_cross_entropy``) and on logits
(``binary_cross_entropy_with_logits``), each one ``Function`` with its closed-form gradient.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.unary import stable_sigmoid
from ...tensor import Tensor
from ._util import check_reduction, float_input, legacy_reduction, reduce_array, reduce_grad, same_float
from .classification import _arr

_EPS = 1e-12


class BCEFn(Function):
    r"""l = -w [y max(log x, -100) + (1 - y) max(log(1 - x), -100)]  (x in [0, 1]).

    dl/dx = w (x - y) / max(x (1 - x), 1e-12)  (PyTorch's guard keeps x = 0 or 1 finite);
    dl/dy = w [log(1 - x) - log x] = -w logit(x)  (unclamped, as PyTorch).
    """

    bw_name = "BinaryCrossEntropyBackward0"

    def forward(self, x, y, w, reduction):
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(x), -100)
            l1x = np.maximum(np.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        if w is not None:
            loss = loss * w
        self.x, self.y, self.w, self.red = x, y, w, reduction
        self.n = loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        x, y, w = self.x, self.y, self.w
        g = reduce_grad(g, x.shape, self.n, self.red)
        if w is not None:
            g = g * w
        gx = gy = None
        if self.needs[0]:
            gx = g * (x - y) / np.maximum((1 - x) * x, _EPS)
        if self.needs[1]:
            # -logit(x), unclamped as PyTorch: infinite at x = 0 or 1
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * (np.log1p(-x) - np.log(x))
        return gx, gy


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

    ``input`` must already be probabilities (e.g. sigmoid output); values outside [0, 1] raise.
    Each log is clamped at -100 as PyTorch does, so x = 0 or 1 gives a finite loss (100 per wrong
    element). ``weight`` (broadcastable) rescales each element.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x, t = _bin_target(float_input(input), target, "binary_cross_entropy")
    xa = x._data
    if xa.size and not (xa.min() >= 0 and xa.max() <= 1):  # NaN fails both tests too
        bad = xa[~((xa >= 0) & (xa <= 1))].flat[0]
        raise RuntimeError(
            f"all elements of input should be between 0 and 1: binary_cross_entropy takes "
            f"probabilities, found {float(bad):.6g}; apply sigmoid first or use "
            f"binary_cross_entropy_with_logits"
        )
    w = _weight_like(weight, x, "binary_cross_entropy: weight")
    return BCEFn.apply(x, t, w, reduction)


class BCEWithLogitsFn(Function):
    r"""BCE on logits z, with pos_weight q and weight w (lw = 1 + (q - 1) y):
        l = w [(1 - y) z + lw softplus(-z)],  softplus(-z) = log(1 + e^{-|z|}) + max(-z, 0)
    (never exponentiates a positive number, so z = +-1000 is exact).
        dl/dz = w [lw sigma(z) - q y]  (= w (sigma(z) - y) without pos_weight),
        dl/dy = w [-z + (q - 1) softplus(-z)].
    """

    bw_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, z, y, w, q, reduction):
        sp = np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
        if q is None:
            loss = (1 - y) * z + sp
        else:
            loss = (1 - y) * z + (1 + (q - 1) * y) * sp
        if w is not None:
            loss = loss * w
        self.z, self.y, self.w, self.q, self.sp, self.red, self.n = z, y, w, q, sp, reduction, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        z, y, w, q = self.z, self.y, self.w, self.q
        g = reduce_grad(g, z.shape, self.n, self.red)
        if w is not None:
            g = g * w
        gz = gy = None
        if self.needs[0]:
            s = stable_sigmoid(z)
            gz = g * (s - y) if q is None else g * ((1 + (q - 1) * y) * s - q * y)
        if self.needs[1]:
            gy = g * (-z) if q is None else g * (-z + (q - 1) * self.sp)
        return gz, gy


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
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x, t = _bin_target(float_input(input), target, "binary_cross_entropy_with_logits")
    w = _weight_like(weight, x, "binary_cross_entropy_with_logits: weight")
    q = _weight_like(pos_weight, x, "binary_cross_entropy_with_logits: pos_weight")
    return BCEWithLogitsFn.apply(x, t, w, q, reduction)
