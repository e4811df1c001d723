r"""Margin losses: the multi-class hinge (SVM) loss and the hinge embedding loss."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._util import check_reduction, float_input, legacy_reduction, reduce_array, reduce_grad
from .classification import _arr, _check_range


class MultiMarginFn(Function):
    r"""Multi-class hinge: l_i = (1/C) \sum_{j \ne y_i} w_{y_i} max(0, m - x_{i y_i} + x_{ij})^p.

    With h_{ij} = m - x_{i y_i} + x_{ij} > 0: dl_i/dx_{ij} = w_{y_i} p h^{p-1} / C for j != y_i,
    and dl_i/dx_{i y_i} = -\sum_{j \ne y_i} of the same.
    """

    bw_name = "MultiMarginLossBackward0"

    def forward(self, x, t, p, margin, weight, reduction):
        self.shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        n, c = x2.shape
        rows = np.arange(n)
        t1 = t.reshape(-1)
        h = margin - x2[rows, t1][:, None] + x2
        h[rows, t1] = 0
        act = h > 0
        hp = np.where(act, h, 0)
        if p == 2:
            hp = hp * hp
        if weight is not None:
            hp = hp * weight[t1][:, None]
        loss = hp.sum(axis=1) / c
        self.h, self.act, self.t1, self.rows, self.p, self.w, self.red, self.n = (
            h,
            act,
            t1,
            rows,
            p,
            weight,
            reduction,
            n,
        )
        if reduction == "none":
            return loss.reshape(t.shape)  # (N,), or the target's () / (1,) for 1-D input
        return reduce_array(loss, reduction)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1, 1) if red == "none" else (g / self.n if red == "mean" else g)
        c = self.h.shape[1]
        d = self.act * (2 * self.h if self.p == 2 else 1.0)
        if self.w is not None:
            d = d * self.w[self.t1][:, None]
        d = (d * (gi / c)).astype(self.h.dtype, copy=False)
        d[self.rows, self.t1] = -d.sum(axis=1)
        return d.reshape(self.shape)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Multi-class hinge (SVM) loss: l_i = (1/C) \sum_{j \ne y_i} max(0, margin - x_{y_i} + x_j)^p.

    Zero once the true class's score beats every other by ``margin``; p is 1 or 2.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 supported, got p={p}")
    x = float_input(input)
    if not isinstance(target, Tensor):
        target = Tensor._make(np.asarray(target))
    xs = x._data.shape
    if x._data.ndim not in (1, 2) or xs[-1] == 0:
        raise ValueError(f"multi_margin_loss: expected non-empty 1-D or 2-D input, got shape {tuple(xs)}")
    c = xs[-1]
    n = xs[0] if x._data.ndim == 2 else 1
    t = target._data
    if t.dtype.kind not in "iu" or t.size != n or t.ndim > 1:
        raise ValueError(
            f"multi_margin_loss: target must hold {n} integer class labels (shape ({n},)), "
            f"got dtype {t.dtype} and shape {tuple(t.shape)}"
        )
    _check_range(t, c, -(10**18))
    w = _arr(weight, x._data.dtype)
    if w is not None and w.shape != (c,):
        raise ValueError(f"multi_margin_loss: weight must have shape ({c},), got {tuple(w.shape)}")
    return MultiMarginFn.apply(x, t, int(p), float(margin), w, reduction)


class HingeEmbeddingFn(Function):
    r"""l = x where y = 1;  max(0, m - x) where y = -1  (both terms for other y values, as PyTorch).

    dl/dx = [y != -1] - [y != 1][m - x >= 0].
    """

    bw_name = "MeanBackward0"

    def forward(self, x, y, margin, reduction):
        mc = np.maximum(margin - x, 0)
        loss = np.where(y != 1, mc, 0) + np.where(y != -1, x, 0)
        self.d = (y != -1).astype(x.dtype) - ((y != 1) & (margin - x >= 0)).astype(x.dtype)
        self.red, self.n = reduction, x.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        return reduce_grad(g, self.d.shape, self.n, self.red) * self.d


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Hinge embedding: l = x if y = 1, max(0, margin - x) if y = -1 (x typically a distance).

    Similar pairs (y = 1) are pulled to distance 0, dissimilar ones pushed beyond ``margin``.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = float_input(input)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.shape != x._data.shape:
        raise ValueError(
            f"hinge_embedding_loss: input shape {tuple(x._data.shape)} and target shape "
            f"{tuple(t.shape)} differ"
        )
    return HingeEmbeddingFn.apply(x, t, float(margin), reduction)
