r"""Information theory's building block x log y (0 where x = 0), differentiable in x and y, and the
KL divergence loss (``kl_div``)."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from ._numerics import reduce_array, reduce_grad, reduce_grad_graph


class XLogYFn(Op):
    """z = x log y with z = 0 where x = 0;  dz/dx = log y,  dz/dy = x / y."""

    arity = 2
    saves = (0, 1)

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_y = log_y = np.log(y)
            return np.where(x == 0, 0, x * log_y).astype(np.result_type(x, y), copy=False)

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = unbroadcast(g * self.log_y, x.shape)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = unbroadcast(g * np.where(x == 0, 0, x / y), y.shape)
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = sum_to(g * y.log(), self.x.shape)
        if self.needs_input_grad[1]:
            nonzero = g._make((self.x != 0).astype(g._data.dtype))
            gy = sum_to(g * (x / y) * nonzero, self.y.shape)
        return gx, gy


class KLDivFn(Op):
    r"""Pointwise KL term for log-probabilities a and target y:
    log_target=False: l = y (log y - a)  (0 where y = 0);  dl/da = -y,  dl/dy = log y + 1 - a.
    log_target=True:  l = e^y (y - a);                      dl/da = -e^y, dl/dy = e^y (y - a + 1).
    """

    arity = 2
    saves = ((1,), (0, 1))

    backward_name = "DivBackward0"

    def forward(self, a, y, log_target, reduction):
        if log_target:
            self.exp_y = exp_y = np.exp(y)
            loss = exp_y * (y - a)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.log_y = log_y = np.where(y > 0, np.log(np.where(y > 0, y, 1)), 0)
            loss = np.where(y > 0, y * log_y, 0) - y * a
        self.a, self.y, self.log_target, self.reduction, self.batch_size = (
            a,
            y,
            log_target,
            reduction,
            a.shape[0] if a.ndim else 1,
        )
        if reduction == "batchmean":
            return np.asarray(loss.sum() / self.batch_size)
        return reduce_array(loss, reduction)

    def backward(self, g):
        a, y, reduction = self.a, self.y, self.reduction
        if reduction == "batchmean":
            g = g / self.batch_size
        else:
            g = reduce_grad(g, a.shape, a.size, reduction)
        ga = gy = None
        if self.log_target:
            if self.needs_input_grad[0]:
                ga = -g * self.exp_y
            if self.needs_input_grad[1]:
                gy = g * (self.exp_y * (y - a + 1))
        else:
            if self.needs_input_grad[0]:
                ga = -g * y
            if self.needs_input_grad[1]:
                with np.errstate(divide="ignore"):
                    gy = g * (np.log(y) + 1 - a)
        return ga, gy

    def backward_graph(self, g):
        a, y = self.parents
        if self.reduction == "batchmean":
            g = g / self.batch_size
        else:
            g = reduce_grad_graph(g, self.a.size, self.reduction)
        ga = gy = None
        if self.log_target:
            e = y.exp()
            ga = -g * e if self.needs_input_grad[0] else None
            gy = g * (e * (y - a + 1)) if self.needs_input_grad[1] else None
        else:
            ga = -g * y if self.needs_input_grad[0] else None
            gy = g * (y.log() + 1 - a) if self.needs_input_grad[1] else None
        return ga, gy
