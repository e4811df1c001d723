r"""Negative log-likelihood losses of simple distributions, one ``Op`` each: the logistic ones (soft
margin, multi-label soft margin), Poisson and Gaussian. Each takes ``reduction`` in
{'none', 'mean', 'sum'}."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from ._numerics import reduce_array, reduce_grad, reduce_grad_graph, stable_sigmoid
from .activation import Sigmoid


def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}), without overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class SoftMarginFn(Op):
    r"""Logistic loss of a margin, labels y in {-1, 1}:  l = log(1 + e^{-y x});
    dl/dx = -y \sigma(-y x)  (not differentiable in y, as PyTorch)."""

    arity = 1

    backward_name = "SoftMarginLossBackward0"

    def forward(self, x, y, reduction):
        self.z = z = -y * x
        self.y, self.reduction = y, reduction
        return reduce_array(_softplus(z), reduction)

    def backward(self, g):
        z = self.z
        return reduce_grad(g, z.shape, z.size, self.reduction) * (-self.y * stable_sigmoid(z))

    def backward_graph(self, g):
        my = g._make(np.asarray(-self.y, g._data.dtype))
        return reduce_grad_graph(g, self.z.size, self.reduction) * (my * Sigmoid.apply(my * self.parents[0]))


class MultiLabelSoftMarginFn(Op):
    r"""One binary cross-entropy per class on logits, averaged over the C classes (last axis):
        l_n = -(1/C) \sum_c w_c [y_c log \sigma(x_c) + (1 - y_c) log \sigma(-x_c)];
    dl_n/dx_c = w_c (\sigma(x_c) - y_c) / C,  dl_n/dy_c = -w_c x_c / C."""

    arity = 2

    backward_name = "DivBackward0"

    def forward(self, x, y, w, reduction):
        c = x.shape[-1] if x.ndim else 1
        loss = y * _softplus(-x) + (1 - y) * _softplus(x)  # -log sigma(x), -log sigma(-x)
        if w is not None:
            loss = loss * w
        per_sample = loss.sum(axis=-1) / c if x.ndim else loss
        self.x, self.y, self.w, self.c, self.reduction = x, y, w, c, reduction
        self.out_shape, self.n = per_sample.shape, per_sample.size
        return reduce_array(per_sample, reduction)

    def backward(self, g):
        x, y, w = self.x, self.y, self.w
        g = reduce_grad(g, self.out_shape, self.n, self.reduction) / self.c
        if x.ndim:
            g = np.expand_dims(g, -1)
        if w is not None:
            g = g * w
        gx = g * (stable_sigmoid(x) - y) if self.needs_input_grad[0] else None
        gy = -g * x if self.needs_input_grad[1] else None
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        g = reduce_grad_graph(g, self.n, self.reduction) / self.c
        if self.x.ndim:
            g = g.unsqueeze(-1)
        if self.w is not None:
            g = g * g._make(np.asarray(self.w, g._data.dtype))
        gx = g * (Sigmoid.apply(x) - y) if self.needs_input_grad[0] else None
        gy = -g * x if self.needs_input_grad[1] else None
        return gx, gy


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class PoissonNLLFn(Op):
    r"""Poisson negative log-likelihood of counts y with rate \lambda:
        log_input (x = log \lambda):  l = e^x - y x;        dl/dx = e^x - y,  dl/dy = -x;
        otherwise (x = \lambda):      l = x - y log(x + \epsilon);  dl/dx = 1 - y / (x + \epsilon),
                                                                      dl/dy = -log(x + \epsilon);
    ``full`` adds Stirling's log y! ~ y log y - y + log(2\pi y)/2 where y > 1 (dl/dy += log y + 1/(2y)).
    """

    arity = 2

    backward_name = "MeanBackward0"

    def forward(self, x, y, log_input, full, eps, reduction):
        self.x, self.y, self.log_input, self.full, self.eps = x, y, log_input, full, eps
        if log_input:
            self.ex = ex = np.exp(x)
            loss = ex - y * x
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.lx = lx = np.log(x + eps)
            loss = x - y * lx
        if full:
            self.big = big = y > 1
            ys = np.where(big, y, 1)
            loss = loss + np.where(big, ys * np.log(ys) - ys + 0.5 * np.log(2 * math.pi * ys), 0)
        self.reduction, self.n = reduction, loss.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, y = self.x, self.y
        g = reduce_grad(g, x.shape, self.n, self.reduction)
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = g * (self.ex - y) if self.log_input else g * (1 - y / (x + self.eps))
        if self.needs_input_grad[1]:
            gy = g * (-x if self.log_input else -self.lx)
            if self.full:
                ys = np.where(self.big, y, 1)
                gy = gy + g * np.where(self.big, np.log(ys) + 0.5 / ys, 0)
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        g = reduce_grad_graph(g, self.n, self.reduction)
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = g * (x.exp() - y) if self.log_input else g * (1 - y / (x + self.eps))
        if self.needs_input_grad[1]:
            gy = g * (-x if self.log_input else -(x + self.eps).log())
            if self.full:
                big = g._make(self.big.astype(g._data.dtype))
                ys = y * big + (1 - big)
                gy = gy + g * big * (ys.log() + 0.5 / ys)
        return gx, gy


class GaussianNLLFn(Op):
    r"""Gaussian negative log-likelihood of y under N(x, v), v = max(var, \epsilon) (broadcast):
        l = (log v + (x - y)^2 / v) / 2  (+ log(2\pi)/2 with ``full``);
        dl/dx = (x - y)/v = -dl/dy,  dl/dvar = (1/v - (x - y)^2/v^2)/2.
    As PyTorch, the clamp at \epsilon is outside the graph: var's gradient is taken at v even where
    it was clamped.
    """

    arity = 3

    backward_name = "MeanBackward0"

    def forward(self, x, y, var, full, eps, reduction):
        self.shapes = (x.shape, y.shape, var.shape)
        self.v = v = np.maximum(var, eps).astype(var.dtype, copy=False)
        self.d = d = x - y
        loss = 0.5 * (np.log(v) + d * d / v)
        if full:
            loss = loss + _HALF_LOG_2PI
        self.reduction, self.out_shape, self.n = reduction, loss.shape, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        g = reduce_grad(g, self.out_shape, self.n, self.reduction)
        v, d = self.v, self.d
        gd = g * d / v  # loss, hence each of these, has the broadcast shape
        needs = self.needs_input_grad
        sx, sy, sv = self.shapes
        gv = g * 0.5 * (1 / v - d * d / (v * v))
        return (
            unbroadcast(gd, sx) if needs[0] else None,
            unbroadcast(-gd, sy) if needs[1] else None,
            unbroadcast(gv, sv) if needs[2] else None,
        )

    def backward_graph(self, g):
        """The same on tensors; v = var + (max(var, eps) - var): the clamp's value, var's derivative."""
        x, y, var = self.parents
        g = reduce_grad_graph(g, self.n, self.reduction)
        v = var + var._make(self.v - var._data)
        d = x - y
        gd = g * d / v
        needs = self.needs_input_grad
        sx, sy, sv = self.shapes
        return (
            sum_to(gd, sx) if needs[0] else None,
            sum_to(-gd, sy) if needs[1] else None,
            sum_to(g * 0.5 * (1 / v - d * d / (v * v)), sv) if needs[2] else None,
        )
