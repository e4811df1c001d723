r"""Margin losses, one ``Op`` each: the multi-class hinge (SVM) loss, its multi-label form and the
hinge embedding loss.
Each takes ``reduction`` in {'none', 'mean', 'sum'}."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from ._numerics import reduce_array, reduce_grad, reduce_grad_graph
from .not_twice import not_implemented_twice


class MultiMarginFn(Op):
    r"""Multi-class hinge: l_i = (1/C) \sum_{j \ne y_i} w_{y_i} max(0, m - x_{i y_i} + x_{ij})^p.

    With h_{ij} = m - x_{i y_i} + x_{ij} > 0: dl_i/dx_{ij} = w_{y_i} p h^{p-1} / C for j != y_i,
    and dl_i/dx_{i y_i} = -\sum_{j \ne y_i} of the same.
    """

    arity = 1
    saves = (0,)  # as PyTorch

    backward_name = "MultiMarginLossBackward0"

    def forward(self, x, t, p, margin, weight, reduction):
        self.shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        n, c = x2.shape
        rows = np.arange(n)
        labels = t.reshape(-1).copy()  # backward reads them; the target has no version counter here
        h = margin - x2[rows, labels][:, None] + x2
        h[rows, labels] = 0
        act = h > 0
        hinge_p = np.where(act, h, 0)
        if p == 2:
            hinge_p = hinge_p * hinge_p
        if weight is not None:
            hinge_p = hinge_p * weight[labels][:, None]
        loss = hinge_p.sum(axis=1) / c
        self.h, self.act, self.labels, self.rows, self.p, self.w, self.reduction, self.n = (
            h,
            act,
            labels,
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
        reduction = self.reduction
        g_row = g.reshape(-1, 1) if reduction == "none" else (g / self.n if reduction == "mean" else g)
        c = self.h.shape[1]
        d = self.act * (2 * self.h if self.p == 2 else 1.0)
        if self.w is not None:
            d = d * self.w[self.labels][:, None]
        d = (d * (g_row / c)).astype(self.h.dtype, copy=False)
        d[self.rows, self.labels] = -d.sum(axis=1)
        return d.reshape(self.shape)

    def backward_graph(self, g):
        """PyTorch does not differentiate multi_margin_loss twice: the gradient raises when it is."""
        grad = self.backward(g._data)
        return not_implemented_twice(grad, "aten::multi_margin_loss_backward", g, self.parents[0])


class HingeEmbeddingFn(Op):
    r"""l = x where y = 1;  max(0, m - x) where y = -1  (both terms for other y values, as PyTorch).

    dl/dx = [y != -1] - [y != 1][m - x >= 0].
    """

    arity = 1

    backward_name = "MeanBackward0"

    def forward(self, x, y, margin, reduction):
        margin_term = np.maximum(margin - x, 0)
        loss = np.where(y != 1, margin_term, 0) + np.where(y != -1, x, 0)
        self.d = (y != -1).astype(x.dtype) - ((y != 1) & (margin - x >= 0)).astype(x.dtype)
        self.reduction, self.n = reduction, x.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        return reduce_grad(g, self.d.shape, self.n, self.reduction) * self.d

    def backward_graph(self, g):
        """g times the constant dl/dx (the loss is piecewise linear: its second derivative is 0)."""
        return reduce_grad_graph(g, self.n, self.reduction) * g._make(self.d)


class MultiLabelMarginFn(Op):
    r"""Multi-label hinge: for row n with labels J_n (the entries of its target before the first -1;
    a repeated label counts again) and their set S_n,
        l_n = (1/C) \sum_{j \in J_n} \sum_{i \notin S_n} max(0, 1 - (x_{nj} - x_{ni}));
    each active pair (its hinge > 0) adds 1/C to dl_n/dx_{ni} and -1/C to dl_n/dx_{nj}.
    PyTorch has no second derivative: differentiating the gradient raises, as there.
    """

    arity = 1
    saves = (0,)

    backward_name = "MultilabelMarginLossBackward0"

    def forward(self, x, t, reduction):
        c = x.shape[-1] if x.ndim else 1
        x2, t2 = x.reshape(-1, c), t.reshape(-1, c)
        n = x2.shape[0]
        valid = np.cumprod(t2 != -1, axis=1).astype(bool)  # the entries before the first -1
        counts = np.zeros((n, c), x.dtype)
        np.add.at(counts, (np.nonzero(valid)[0], t2[valid]), 1)
        weight = counts[:, :, None] * (counts == 0)[:, None, :]  # (row, label j, non-label i)
        h = 1 - x2[:, :, None] + x2[:, None, :]
        active = (h > 0) * weight
        loss = (h * active).sum(axis=(1, 2)) / c
        self.d = ((active.sum(axis=1) - active.sum(axis=2)) / c).astype(x.dtype, copy=False)
        self.shape, self.reduction, self.n = x.shape, reduction, n
        if reduction == "none":
            return loss.reshape(x.shape[:-1]) if x.ndim else loss.reshape(())
        return reduce_array(loss, reduction)

    def backward(self, g):
        g_row = g.reshape(-1, 1) if self.reduction == "none" else reduce_grad(g, (), self.n, self.reduction)
        return (self.d * g_row).reshape(self.shape)

    def backward_graph(self, g):
        """PyTorch does not differentiate multilabel_margin_loss twice: the gradient raises when it is."""
        grad = self.backward(g._data)
        return not_implemented_twice(grad, "aten::multilabel_margin_loss_backward", g, self.parents[0])
