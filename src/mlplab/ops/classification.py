r"""Multi-class losses: cross-entropy (fused log-softmax + NLL, on labels or on probabilities) and NLL.

Each is one ``Function``: its forward computes the loss, its backward the closed-form gradient,
e.g. softmax(x) - onehot(y) for cross-entropy instead of differentiating exp, sum, log, gather.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._numerics import reduce_array, row_sum, shift_by_max

_max, _sum = np.maximum.reduce, np.add.reduce  # ndarray.max/sum without their Python layer
_STARTS: dict[tuple[int, int], np.ndarray] = {}


def _row_starts(n: int, c: int) -> np.ndarray:
    """0, c, 2c, ..., (n-1)c: where each row starts in a flattened (n, c) array (cached, read-only)."""
    a = _STARTS.get((n, c))
    if a is None:
        if len(_STARTS) > 64:
            _STARTS.clear()
        a = _STARTS[(n, c)] = np.arange(0, n * c, c)
        a.flags.writeable = False
    return a


def _to_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C): the class axis last, one row per prediction."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of :func:`_to_rows` for a gradient."""
    if len(shape) == 2:
        return g
    if len(shape) == 1:
        return g.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(g.reshape(moved), -1, 1)


class CrossEntropyFn(Function):
    r"""Cross-entropy of logits x (M rows, C classes) against labels t, log-softmax and NLL fused.

    With p = softmax(x_i), log p_{ic} = (x_{ic} - m_i) - log \sum_j e^{x_{ij} - m_i}:
        l_i = -(1 - \epsilon) w_{t_i} log p_{i t_i} - (\epsilon / C) \sum_c w_c log p_{ic}
    (\epsilon = label_smoothing, w = class weights or 1, l_i = 0 for ignored rows); 'mean' divides
    \sum l_i by \sum_i w_{t_i} over the kept rows. Gradient (per unit of l_i):
        dl_i/dx_i = (1 - \epsilon) w_{t_i} (p_i - onehot(t_i)) + (\epsilon / C)(p_i \sum_c w_c - w),
    which without weights is p_i - ((1-\epsilon) onehot(t_i) + \epsilon/C): softmax minus the target.
    """

    arity = 1

    backward_name = "NllLossBackward0"

    def forward(self, x, t, weight, ignore_index, eps, reduction, has_ignored):
        self.shape = x.shape
        x2 = x if x.ndim == 2 else _to_rows(x)
        t1 = t if t.ndim == 1 else t.reshape(-1)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        se = row_sum(e)
        lse = np.log(se)
        keep = None
        if has_ignored:
            keep = t1 != ignore_index
            t1 = np.where(keep, t1, 0)
        idx = _row_starts(n, c) + t1  # flat positions of (i, t_i): cheaper than 2-D fancy indexing
        picked = s.ravel()[idx] - lse.ravel()  # log p_{i t_i}
        wt = None  # per-row weight w_{t_i} (times keep)
        if weight is not None:
            wt = weight[t1]
            if keep is not None:
                wt = wt * keep
        elif keep is not None:
            wt = keep.astype(x.dtype)
        loss = -picked if wt is None else -(wt * picked)
        if eps > 0:
            logp = s - lse
            smooth = -(logp.sum(axis=1) if weight is None else (logp * weight).sum(axis=1))
            if keep is not None:
                smooth = smooth * keep
            loss = (1 - eps) * loss + (eps / c) * smooth
        self.e, self.se, self.idx = e, se, idx
        self.wt, self.keep, self.weight, self.eps, self.red = wt, keep, weight, eps, reduction
        out_shape = t.shape
        if reduction == "none":
            return loss.reshape(out_shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if wt is None else wt.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        p = self.e / self.se
        wt, eps, weight = self.wt, self.eps, self.weight
        red = self.red
        if red == "none":
            gi = g.reshape(-1, 1)
        elif red == "sum":
            gi = g
        else:
            gi = g / self.den
        idx = self.idx
        c = p.shape[1]
        if eps > 0:
            # smoothing term (eps/C) (p \sum w - w), then the NLL term scaled by (1 - eps)
            if weight is None:
                sm = (eps / c) * (p * c - 1)
            else:
                sm = (eps / c) * (p * weight.sum() - weight)
            if self.keep is not None:
                sm = sm * self.keep[:, None]
        if wt is None:
            grad = p * (1 - eps) if eps > 0 else p  # p is a fresh array: safe to edit in place
            grad.reshape(-1)[idx] -= 1 - eps
        else:
            grad = p * (wt[:, None] * (1 - eps))
            grad.reshape(-1)[idx] -= (1 - eps) * wt
        if eps > 0:
            grad += sm
        grad *= gi
        return grad if len(self.shape) == 2 else _from_rows(grad, self.shape)


class CrossEntropyProbFn(Function):
    r"""Cross-entropy against class probabilities y: l_i = -\sum_c w_c y_{ic} log p_{ic}.

    (label smoothing replaces y by (1 - \epsilon) y + \epsilon / C before the fact.)
    dl_i/dx_i = p_i \sum_c w_c y_{ic} - w \odot y_i,  dl_i/dy_i = -w \odot log p_i.
    'mean' divides by the number of rows (not by the weights), as PyTorch.
    """

    arity = 2

    backward_name = "DivBackward1"

    def forward(self, x, y, weight, eps, reduction):
        self.shape = x.shape
        x2 = _to_rows(x)
        y2 = _to_rows(y)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        se = row_sum(e)
        logp = s - np.log(se)
        if eps > 0:
            y2 = y2 * (1 - eps) + eps / c
        wy = y2 if weight is None else y2 * weight
        loss = -(wy * logp).sum(axis=1)
        self.p, self.wy, self.logp, self.weight, self.eps, self.red, self.n = (
            e / se,
            wy,
            logp,
            weight,
            eps,
            reduction,
            n,
        )
        if reduction == "none":
            return loss.reshape(x.shape[:1] + x.shape[2:]) if x.ndim > 1 else loss.reshape(())
        return reduce_array(loss, reduction)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1, 1) if red == "none" else (g / self.n if red == "mean" else g)
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = _from_rows((self.p * self.wy.sum(axis=1, keepdims=True) - self.wy) * gi, self.shape)
        if self.needs_input_grad[1]:
            lw = self.logp if self.weight is None else self.logp * self.weight
            gy = -lw * gi
            if self.eps > 0:
                gy = gy * (1 - self.eps)
            gy = _from_rows(gy, self.shape)
        return gx, gy


class NLLLossFn(Function):
    r"""Negative log-likelihood of log-probabilities a: l_i = -w_{t_i} a_{i t_i} (0 if ignored).

    'mean' divides by \sum_i w_{t_i} over kept rows. dl_i/da_{ic} = -w_{t_i} [c = t_i].
    """

    arity = 1

    backward_name = "NllLossBackward0"

    def forward(self, a, t, weight, ignore_index, reduction, has_ignored):
        self.shape = a.shape
        a2 = _to_rows(a)
        t1 = t.reshape(-1)
        n = a2.shape[0]
        rows = np.arange(n)
        keep = None
        if has_ignored:
            keep = t1 != ignore_index
            t1 = np.where(keep, t1, 0)
        wt = None
        if weight is not None:
            wt = weight[t1] if keep is None else weight[t1] * keep
        elif keep is not None:
            wt = keep.astype(a.dtype)
        picked = a2[rows, t1]
        loss = -picked if wt is None else -(wt * picked)
        self.t1, self.rows, self.wt, self.red, self.n2 = t1, rows, wt, reduction, a2.shape
        if reduction == "none":
            return loss.reshape(t.shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if wt is None else wt.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1) if red == "none" else (g / self.den if red == "mean" else g)
        grad = np.zeros(self.n2, dtype=g.dtype)
        grad[self.rows, self.t1] = -gi if self.wt is None else -(gi * self.wt)
        return _from_rows(grad, self.shape)
