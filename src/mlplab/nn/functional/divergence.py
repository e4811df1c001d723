r"""KL divergence loss ``kl_div`` (input = log Q, target = P), one ``Function``."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._util import check_reduction, float_input, legacy_reduction, reduce_array, reduce_grad, same_float


class KLDivFn(Function):
    r"""Pointwise KL term for log-probabilities a and target y:
    log_target=False: l = y (log y - a)  (0 where y = 0);  dl/da = -y,  dl/dy = log y + 1 - a.
    log_target=True:  l = e^y (y - a);                      dl/da = -e^y, dl/dy = e^y (y - a + 1).
    """

    bw_name = "DivBackward0"

    def forward(self, a, y, log_target, reduction):
        if log_target:
            self.ey = ey = np.exp(y)
            loss = ey * (y - a)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.logy = logy = np.where(y > 0, np.log(np.where(y > 0, y, 1)), 0)
            loss = np.where(y > 0, y * logy, 0) - y * a
        self.a, self.y, self.lt, self.red, self.n0 = a, y, log_target, reduction, a.shape[0] if a.ndim else 1
        if reduction == "batchmean":
            return np.asarray(loss.sum() / self.n0)
        return reduce_array(loss, reduction)

    def backward(self, g):
        a, y, red = self.a, self.y, self.red
        if red == "batchmean":
            g = g / self.n0
        else:
            g = reduce_grad(g, a.shape, a.size, red)
        ga = gy = None
        if self.lt:
            if self.needs[0]:
                ga = -g * self.ey
            if self.needs[1]:
                gy = g * (self.ey * (y - a + 1))
        else:
            if self.needs[0]:
                ga = -g * y
            if self.needs[1]:
                with np.errstate(divide="ignore"):
                    gy = g * (np.log(y) + 1 - a)
        return ga, gy


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    r"""KL divergence D(P || Q) = \sum P log(P / Q), with ``input`` = log Q and ``target`` = P
    (or log P when ``log_target``). reduction='batchmean' (\sum / N) gives the true KL per sample;
    'mean' divides by every element, which is not the KL (PyTorch keeps it as the default).
    Input and target shapes must match (PyTorch broadcasts).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    x, t = same_float(float_input(input), target)
    if x._data.shape != t._data.shape:
        raise ValueError(
            f"kl_div: input shape {tuple(x._data.shape)} and target shape {tuple(t._data.shape)} differ"
        )
    return KLDivFn.apply(x, t, bool(log_target), reduction)
