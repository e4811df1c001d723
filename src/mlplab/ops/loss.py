r"""Regression and binary losses, each one ``Op`` with its closed-form gradient (the multi-class
ones are in :mod:`mlplab.ops.classification`, the margin ones in :mod:`mlplab.ops.loss_margin`,
KL divergence in :mod:`mlplab.ops.information`).

Each takes ``reduction`` in {'none', 'mean', 'sum'} (plus 'batchmean' for KL): the loss of every
element, their mean, or their sum; the incoming gradient is spread back by ``reduce_grad``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.op import Op
from ._numerics import reduce_array, reduce_grad, reduce_grad_graph, stable_sigmoid
from .activation import Sigmoid


class _PointwiseLoss(Op):
    """Shared shape of an elementwise loss l(d), d = x - t: dL/dx = l'(d) g,  dL/dt = -l'(d) g."""

    arity = 2
    saves = (0, 1)  # as PyTorch (d = x - t is a copy)

    def forward(self, x, t, reduction, param=None, w=None, wmean=False):
        # w: optional per-element weights (constants); wmean: 'mean' divides by sum(w), not n
        self.d = d = x - t
        self.reduction, self.param, self.weight = reduction, param, w
        loss = self.loss(d, param)
        if w is None:
            return reduce_array(loss, reduction)
        loss = loss * w
        self.n = n = float(w.sum()) if wmean else d.size
        if reduction == "mean":
            return np.asarray(loss.sum() / n)
        return reduce_array(loss, reduction)

    def backward(self, g):
        d, w = self.d, self.weight
        g = reduce_grad(g, d.shape, d.size if w is None else self.n, self.reduction)
        if w is not None:
            g = g * w
        gd = self.dloss(d, self.param, g)
        return (gd if self.needs_input_grad[0] else None), (-gd if self.needs_input_grad[1] else None)

    def backward_graph(self, g):
        """The same gradient on tensors (``create_graph``): ``dloss_graph(d, g)``, d = x - t."""
        x, t = self.parents
        w = self.weight
        if self.reduction == "mean":
            g = g / (self.d.size if w is None else self.n)
        if w is not None:
            g = g * g._make(np.asarray(w, g._data.dtype))
        gd = self.dloss_graph(x - t, g)
        return (gd if self.needs_input_grad[0] else None), (-gd if self.needs_input_grad[1] else None)

    def _consts(self, g, *masks):
        return [g._make(m.astype(g._data.dtype)) for m in masks]

    def loss(self, d: np.ndarray, param: Any) -> np.ndarray:
        raise NotImplementedError

    def dloss(self, d: np.ndarray, param: Any, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class L1LossFn(_PointwiseLoss):
    """l = |d|;  dl/dd = sign(d) (0 at d = 0, as PyTorch)."""

    backward_name = "MeanBackward0"
    saves = ()  # PyTorch's l1_loss is (x - t).abs().mean(): it saves only the difference

    def loss(self, d, param):
        return np.abs(d)

    def dloss(self, d, param, g):
        return np.sign(d) * g

    def dloss_graph(self, d, g):
        return g * g._make(np.sign(self.d))


class MSELossFn(_PointwiseLoss):
    """l = d^2;  dl/dd = 2 d."""

    backward_name = "MseLossBackward0"

    def loss(self, d, param):
        return d * d

    def dloss(self, d, param, g):
        return (2 * g) * d

    def dloss_graph(self, d, g):
        return 2 * g * d


class SmoothL1LossFn(_PointwiseLoss):
    """l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta;  dl/dd = d / beta or sign(d)."""

    backward_name = "SmoothL1LossBackward0"

    def loss(self, d, beta):
        a = np.abs(d)
        if beta == 0:
            return a
        return np.where(a < beta, (0.5 / beta) * d * d, a - 0.5 * beta)

    def dloss(self, d, beta, g):
        if beta == 0:
            return np.sign(d) * g
        return np.where(d <= -beta, -g, np.where(d >= beta, g, d * (g / beta)))

    def dloss_graph(self, d, g):
        beta, a = self.param, self.d
        if beta == 0:
            return g * g._make(np.sign(a))
        lo, hi, mid = self._consts(g, a <= -beta, a >= beta, (a > -beta) & (a < beta))
        return g * (hi - lo) + d * (g / beta) * mid


class HuberLossFn(_PointwiseLoss):
    """l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta);  dl/dd = d or delta sign(d)."""

    backward_name = "HuberLossBackward0"

    def loss(self, d, delta):
        a = np.abs(d)
        return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    def dloss(self, d, delta, g):
        return np.where(d <= -delta, -delta * g, np.where(d >= delta, delta * g, d * g))

    def dloss_graph(self, d, g):
        delta, a = self.param, self.d
        lo, hi, mid = self._consts(g, a <= -delta, a >= delta, (a > -delta) & (a < delta))
        return g * (hi - lo) * delta + d * g * mid


_EPS = 1e-12


class BCEFn(Op):
    r"""l = -w [y max(log x, -100) + (1 - y) max(log(1 - x), -100)]  (x in [0, 1]).

    dl/dx = w (x - y) / max(x (1 - x), 1e-12)  (PyTorch's guard keeps x = 0 or 1 finite);
    dl/dy = w [log(1 - x) - log x] = -w logit(x)  (unclamped, as PyTorch).
    """

    arity = 2
    saves = (0, 1)

    backward_name = "BinaryCrossEntropyBackward0"

    def forward(self, x, y, w, reduction):
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(x), -100)
            l1x = np.maximum(np.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        if w is not None:
            loss = loss * w
        self.x, self.y, self.w, self.reduction = x, y, w, reduction
        self.n = loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        x, y, w = self.x, self.y, self.w
        g = reduce_grad(g, x.shape, self.n, self.reduction)
        if w is not None:
            g = g * w
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = g * (x - y) / np.maximum((1 - x) * x, _EPS)
        if self.needs_input_grad[1]:
            # -logit(x), unclamped as PyTorch: infinite at x = 0 or 1
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * (np.log1p(-x) - np.log(x))
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        g = reduce_grad_graph(g, self.n, self.reduction)
        if self.w is not None:
            g = g * g._make(np.asarray(self.w, g._data.dtype))
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = g * (x - y) / (x * (1 - x)).clamp(min=_EPS)
        if self.needs_input_grad[1]:
            gy = g * ((1 - x).log() - x.log())
        return gx, gy


class BCEWithLogitsFn(Op):
    r"""BCE on logits z, with pos_weight q and weight w (lw = 1 + (q - 1) y):
        l = w [(1 - y) z + lw softplus(-z)],  softplus(-z) = log(1 + e^{-|z|}) + max(-z, 0)
    (never exponentiates a positive number, so z = +-1000 is exact).
        dl/dz = w [lw sigma(z) - q y]  (= w (sigma(z) - y) without pos_weight),
        dl/dy = w [-z + (q - 1) softplus(-z)].
    """

    arity = 2
    saves = (0, 1)

    backward_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, z, y, w, q, reduction):
        sp = np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
        if q is None:
            loss = (1 - y) * z + sp
        else:
            loss = (1 - y) * z + (1 + (q - 1) * y) * sp
        if w is not None:
            loss = loss * w
        self.z, self.y, self.w, self.q, self.sp, self.reduction, self.n = z, y, w, q, sp, reduction, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        z, y, w, q = self.z, self.y, self.w, self.q
        g = reduce_grad(g, z.shape, self.n, self.reduction)
        if w is not None:
            g = g * w
        gz = gy = None
        if self.needs_input_grad[0]:
            s = stable_sigmoid(z)
            gz = g * (s - y) if q is None else g * ((1 + (q - 1) * y) * s - q * y)
        if self.needs_input_grad[1]:
            gy = g * (-z) if q is None else g * (-z + (q - 1) * self.sp)
        return gz, gy

    def backward_graph(self, g):
        z, y = self.parents
        if self.reduction == "mean":
            g = g / self.n
        if self.w is not None:
            g = g * g._make(np.asarray(self.w, g._data.dtype))
        if self.q is None:
            gz = g * (Sigmoid.apply(z) - y) if self.needs_input_grad[0] else None
            gy = g * -z if self.needs_input_grad[1] else None
            return gz, gy
        q = g._make(np.asarray(self.q, g._data.dtype))
        gz = g * ((1 + (q - 1) * y) * Sigmoid.apply(z) - q * y) if self.needs_input_grad[0] else None
        gy = None
        if self.needs_input_grad[1]:
            sp = (-z).clamp(min=0) + ((-z.abs()).exp() + 1).log()  # softplus(-z), as forward
            gy = g * (-z + (q - 1) * sp)
        return gz, gy
