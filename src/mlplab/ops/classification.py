r"""Multi-class losses: cross-entropy (fused log-softmax + NLL, on labels or on probabilities) and NLL.

Each is one ``Op``: its forward computes the loss, its backward the closed-form gradient,
e.g. softmax(x) - onehot(y) for cross-entropy instead of differentiating exp, sum, log, gather.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.op import Op
from ._numerics import reduce_array, reduce_grad_graph, row_sum, shift_by_max
from .activation import LogSoftmaxFn, SoftmaxFn

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


def _rows_graph(x: Any) -> Any:
    """:func:`_to_rows` on a tensor, recorded."""
    n = x.dim()
    if n == 2:
        return x
    if n == 1:
        return x.reshape(1, -1)
    return x.permute(0, *range(2, n), 1).reshape(-1, x.shape[1])


def _unrows_graph(g: Any, shape: tuple) -> Any:
    """:func:`_from_rows` on a tensor, recorded."""
    n = len(shape)
    if n == 2:
        return g
    if n == 1:
        return g.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return g.reshape(moved).permute(0, n - 1, *range(1, n - 1))


class CrossEntropyFn(Op):
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
        labels = t if t.ndim == 1 else t.reshape(-1)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        row_sums = row_sum(e)
        lse = np.log(row_sums)
        keep = None
        if has_ignored:
            keep = labels != ignore_index
            labels = np.where(keep, labels, 0)
        idx = _row_starts(n, c) + labels  # flat positions of (i, t_i): cheaper than 2-D fancy indexing
        picked = s.ravel()[idx] - lse.ravel()  # log p_{i t_i}
        row_weight = None  # per-row weight w_{t_i} (times keep)
        if weight is not None:
            row_weight = weight[labels]
            if keep is not None:
                row_weight = row_weight * keep
        elif keep is not None:
            row_weight = keep.astype(x.dtype)
        loss = -picked if row_weight is None else -(row_weight * picked)
        if eps > 0:
            logp = s - lse
            smooth = -(logp.sum(axis=1) if weight is None else (logp * weight).sum(axis=1))
            if keep is not None:
                smooth = smooth * keep
            loss = (1 - eps) * loss + (eps / c) * smooth
        self.e, self.row_sums, self.idx = e, row_sums, idx
        self.row_weight, self.keep, self.weight, self.eps, self.reduction = (
            row_weight,
            keep,
            weight,
            eps,
            reduction,
        )
        out_shape = t.shape
        if reduction == "none":
            return loss.reshape(out_shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if row_weight is None else row_weight.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        p = self.e / self.row_sums
        row_weight, eps, weight = self.row_weight, self.eps, self.weight
        reduction = self.reduction
        if reduction == "none":
            g_row = g.reshape(-1, 1)
        elif reduction == "sum":
            g_row = g
        else:
            g_row = g / self.den
        idx = self.idx
        c = p.shape[1]
        if eps > 0:
            # smoothing term (eps/C) (p \sum w - w), then the NLL term scaled by (1 - eps)
            if weight is None:
                smoothing = (eps / c) * (p * c - 1)
            else:
                smoothing = (eps / c) * (p * weight.sum() - weight)
            if self.keep is not None:
                smoothing = smoothing * self.keep[:, None]
        if row_weight is None:
            grad = p * (1 - eps) if eps > 0 else p  # p is a fresh array: safe to edit in place
            grad.reshape(-1)[idx] -= 1 - eps
        else:
            grad = p * (row_weight[:, None] * (1 - eps))
            grad.reshape(-1)[idx] -= (1 - eps) * row_weight
        if eps > 0:
            grad += smoothing
        grad *= g_row
        return grad if len(self.shape) == 2 else _from_rows(grad, self.shape)

    def backward_graph(self, g):
        """The same gradient on tensors: (A p + B) g_row, with p = softmax(x) the only part that
        depends on x; A (per row) and B (per row and class) hold the weights, labels and smoothing."""
        x = self.parents[0]
        x2 = _rows_graph(x)  # (N, C, d1, ...): one row per prediction, as in forward
        n, c = self.e.shape
        eps, rw, keep, weight = self.eps, self.row_weight, self.keep, self.weight
        a = np.full(n, 1 - eps) if rw is None else rw * (1 - eps)
        b = np.zeros((n, c))
        b.reshape(-1)[self.idx] -= a
        if eps > 0:
            k = np.ones(n) if keep is None else keep
            a = a + (eps / c) * (c if weight is None else weight.sum()) * k
            b -= (eps / c) * (1 if weight is None else weight) * k[:, None]
        dt = g._data.dtype
        if self.reduction == "none":
            g = g.reshape(-1, 1)
        elif self.reduction == "mean":
            g = g / float(self.den)
        p = SoftmaxFn.apply(x2, 1)
        grad = (p * g._make(a.astype(dt)[:, None]) + g._make(b.astype(dt))) * g
        return _unrows_graph(grad, tuple(x.shape))


class CrossEntropyLabelsFn(CrossEntropyFn):
    r"""The training loop's cross-entropy, ``CrossEntropyFn`` without its options: (N, C) logits,
    labels in [0, C), no weights, no ignored rows, no smoothing, 'mean'. The same array expressions
    as the general path, minus its branches (bitwise its result, tests/test_fwd_fast_paths.py):

        L = -(1/N) \sum_i (s_{i t_i} - lse_i),   s = x - max,  lse_i = log \sum_c e^{s_{ic}},
        dL/dx = (softmax(x) - onehot(t)) g / N.
    """

    # what the general backward (and backward_graph) read, fixed by this case
    weight = row_weight = keep = None
    eps = 0.0
    reduction = "mean"

    def forward(self, x, t):
        self.shape = x.shape
        n, c = x.shape
        # one row (batch 1): its maximum is the global one, which shift_by_max would take after a
        # second reduction to check the spread, and the mean of one term is -term + 0, which is
        # what the reduction computes (its sum starts from +0, so -0.0 comes out +0.0; NaN as is)
        s = x - _max(x, None) if n == 1 else shift_by_max(x, 1)
        e = np.exp(s)
        self.row_sums = row_sums = row_sum(e)
        self.e, self.den = e, n
        if n == 1:  # the same operations on NumPy scalars of x's dtype: same roundings, fewer calls
            self.idx = t.copy()  # row 0 starts at 0
            picked = s[0, t[0]] - np.log(row_sums[0, 0])  # log p_{0 t_0}
            return np.asarray(-picked + 0.0)
        self.idx = idx = _row_starts(n, c) + t
        picked = s.take(idx) - np.log(row_sums).reshape(-1)  # log p_{i t_i}
        return np.asarray(_sum(np.negative(picked, out=picked)) / n)

    def backward(self, g):
        p = self.e / self.row_sums  # a fresh array: the gradient is built in it
        if self.den == 1:  # one row: a scalar index, cheaper than the fancy one (same rounding)
            p.reshape(-1)[int(self.idx[0])] -= 1.0
        else:
            p.reshape(-1)[self.idx] -= 1.0
        p *= g / self.den if self.den != 1 else g  # g / 1 is g, bit for bit
        return p


class CrossEntropyProbFn(Op):
    r"""Cross-entropy against class probabilities y: l_i = -\sum_c w_c y_{ic} log p_{ic}.

    (label smoothing replaces y by (1 - \epsilon) y + \epsilon / C before the fact.)
    dl_i/dx_i = p_i \sum_c w_c y_{ic} - w \odot y_i,  dl_i/dy_i = -w \odot log p_i.
    'mean' divides by the number of rows (not by the weights), as PyTorch.
    """

    arity = 2
    saves = ((1,), ())  # as PyTorch's log_softmax * target

    backward_name = "DivBackward1"

    def forward(self, x, y, weight, eps, reduction):
        self.shape = x.shape
        x2 = _to_rows(x)
        y2 = _to_rows(y)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        row_sums = row_sum(e)
        logp = s - np.log(row_sums)
        if eps > 0:
            y2 = y2 * (1 - eps) + eps / c
        wy = y2 if weight is None else y2 * weight
        loss = -(wy * logp).sum(axis=1)
        self.p, self.wy, self.logp, self.weight, self.eps, self.reduction, self.n = (
            e / row_sums,
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
        reduction = self.reduction
        g_row = g.reshape(-1, 1) if reduction == "none" else (g / self.n if reduction == "mean" else g)
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = _from_rows((self.p * self.wy.sum(axis=1, keepdims=True) - self.wy) * g_row, self.shape)
        if self.needs_input_grad[1]:
            lw = self.logp if self.weight is None else self.logp * self.weight
            gy = -lw * g_row
            if self.eps > 0:
                gy = gy * (1 - self.eps)
            gy = _from_rows(gy, self.shape)
        return gx, gy

    def backward_graph(self, g):
        """The same on tensors, p and log p recomputed from x (so differentiated), w y from y."""
        x, y = self.parents
        x2, y2 = _rows_graph(x), _rows_graph(y)
        c = x2.shape[1]
        if self.reduction == "none":
            g_row = g.reshape(-1, 1)
        else:
            g_row = reduce_grad_graph(g, self.n, self.reduction)
        w = None if self.weight is None else g._make(np.asarray(self.weight, g._data.dtype))
        gx = gy = None
        if self.needs_input_grad[0]:
            wy = y2 * (1 - self.eps) + self.eps / c if self.eps > 0 else y2
            wy = wy if w is None else wy * w
            p = SoftmaxFn.apply(x2, 1)
            gx = _unrows_graph((p * wy.sum(dim=1, keepdim=True) - wy) * g_row, self.shape)
        if self.needs_input_grad[1]:
            logp = LogSoftmaxFn.apply(x2, 1)
            lw = logp if w is None else logp * w
            gy = -lw * g_row
            if self.eps > 0:
                gy = gy * (1 - self.eps)
            gy = _unrows_graph(gy, self.shape)
        return gx, gy


class NLLLossFn(Op):
    r"""Negative log-likelihood of log-probabilities a: l_i = -w_{t_i} a_{i t_i} (0 if ignored).

    'mean' divides by \sum_i w_{t_i} over kept rows. dl_i/da_{ic} = -w_{t_i} [c = t_i].
    """

    arity = 1
    saves = (0,)  # as PyTorch

    backward_name = "NllLossBackward0"

    def forward(self, a, t, weight, ignore_index, reduction, has_ignored):
        self.shape = a.shape
        a2 = _to_rows(a)
        # a copy: the target is an array here (no version counter), and backward reads the labels
        labels = t.reshape(-1).copy()
        n = a2.shape[0]
        rows = np.arange(n)
        keep = None
        if has_ignored:
            keep = labels != ignore_index
            labels = np.where(keep, labels, 0)
        row_weight = None
        if weight is not None:
            row_weight = weight[labels] if keep is None else weight[labels] * keep
        elif keep is not None:
            row_weight = keep.astype(a.dtype)
        picked = a2[rows, labels]
        loss = -picked if row_weight is None else -(row_weight * picked)
        self.labels, self.rows, self.row_weight, self.reduction, self.rows_shape = (
            labels,
            rows,
            row_weight,
            reduction,
            a2.shape,
        )
        if reduction == "none":
            return loss.reshape(t.shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if row_weight is None else row_weight.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        reduction = self.reduction
        g_row = g.reshape(-1) if reduction == "none" else (g / self.den if reduction == "mean" else g)
        grad = np.zeros(self.rows_shape, dtype=g.dtype)
        grad[self.rows, self.labels] = -g_row if self.row_weight is None else -(g_row * self.row_weight)
        return _from_rows(grad, self.shape)

    def backward_graph(self, g):
        """-w_{t_i} at (i, t_i), times the incoming gradient (recorded; a constant in x)."""
        c = np.zeros(self.rows_shape, g._data.dtype)
        c[self.rows, self.labels] = -1 if self.row_weight is None else -self.row_weight
        if self.reduction == "none":
            g = g.reshape(-1, 1)
        elif self.reduction == "mean":
            g = g / float(self.den)
        return _unrows_graph(g._make(c) * g, tuple(self.shape))
