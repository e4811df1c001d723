r"""Losses on pairs and triplets of inputs, one ``Op`` each: margin ranking, cosine embedding and
triplet margin. Each takes ``reduction`` in {'none', 'mean', 'sum'}; the hinge max(0, h) passes
the gradient where h >= 0 (PyTorch's clamp_min convention at the kink)."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from ._numerics import reduce_array, reduce_grad, reduce_grad_graph
from .distance import pnorm, pnorm_backward, pnorm_backward_graph


class MarginRankingFn(Op):
    r"""l = max(0, -y (x_1 - x_2) + m)  (y = 1: x_1 should rank higher; y = -1: x_2), broadcast;
    where the hinge is active: dl/dx_1 = -y,  dl/dx_2 = y,  dl/dy = -(x_1 - x_2)."""

    arity = 3

    backward_name = "ClampMinBackward0"

    def forward(self, x1, x2, y, margin, reduction):
        self.shapes = (x1.shape, x2.shape, y.shape)
        self.diff = diff = x1 - x2
        self.y = y
        h = -y * diff + margin
        self.active = h >= 0
        self.reduction = reduction
        loss = np.maximum(h, 0).astype(h.dtype, copy=False)
        self.out_shape, self.n = loss.shape, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        g = reduce_grad(g, self.out_shape, self.n, self.reduction) * self.active
        s1, s2, sy = self.shapes
        needs = self.needs_input_grad
        gy = g * self.y
        return (  # g has the broadcast shape (active has), so every product below has it too
            unbroadcast(-gy, s1) if needs[0] else None,
            unbroadcast(gy, s2) if needs[1] else None,
            unbroadcast(-g * self.diff, sy) if needs[2] else None,
        )

    def backward_graph(self, g):
        x1, x2, y = self.parents
        g = reduce_grad_graph(g, self.n, self.reduction) * g._make(self.active.astype(g._data.dtype))
        s1, s2, sy = self.shapes
        needs = self.needs_input_grad
        gy = g * y
        return (
            sum_to(-gy, s1) if needs[0] else None,
            sum_to(gy, s2) if needs[1] else None,
            sum_to(-g * (x1 - x2), sy) if needs[2] else None,
        )


_COS_EPS = 1e-12


class CosineEmbeddingFn(Op):
    r"""l = 1 - cos(x_1, x_2) where y = 1;  max(0, cos(x_1, x_2) - m) where y = -1;  0 otherwise,
    with cos = \sum x_1 x_2 / \sqrt{(\sum x_1^2 + 10^{-12})(\sum x_2^2 + 10^{-12})} along the last axis.

    With s_i = \sum x_i^2 + 10^{-12}:  dcos/dx_1 = x_2 / \sqrt{s_1 s_2} - cos x_1 / s_1 (and
    symmetrically);  dl/dcos = -1 (y = 1), 1 (y = -1, cos - m >= 0), 0 otherwise.
    """

    arity = 2

    backward_name = "AddBackward0"

    def forward(self, x1, x2, y, margin, reduction):
        self.s1, self.s2 = x1.shape, x2.shape
        a, b = np.broadcast_arrays(x1, x2)
        ax = a.ndim - 1
        s_a = (a * a).sum(axis=ax) + _COS_EPS
        s_b = (b * b).sum(axis=ax) + _COS_EPS
        root = np.sqrt(s_a * s_b)
        cos = (a * b).sum(axis=ax) / root
        pos, neg = y == 1, y == -1
        loss = np.where(pos, 1 - cos, 0) + np.where(neg, np.maximum(cos - margin, 0), 0)
        self.dcos = np.where(pos, -1.0, 0.0) + np.where(neg & (cos - margin >= 0), 1.0, 0.0)
        self.a, self.b, self.sa, self.sb, self.root, self.cos, self.ax = a, b, s_a, s_b, root, cos, ax
        self.reduction, self.out_shape, self.n = reduction, loss.shape, loss.size
        return reduce_array(loss.astype(a.dtype, copy=False), reduction)

    def backward(self, g):
        g = reduce_grad(g, self.out_shape, self.n, self.reduction) * self.dcos
        gc = np.expand_dims(g, self.ax).astype(self.a.dtype, copy=False)
        a, b, root, cos = (
            self.a,
            self.b,
            np.expand_dims(self.root, self.ax),
            np.expand_dims(self.cos, self.ax),
        )
        out = []
        for i, (xa, xb, s, shape) in enumerate(((a, b, self.sa, self.s1), (b, a, self.sb, self.s2))):
            if self.needs_input_grad[i]:
                out.append(unbroadcast(gc * (xb / root - cos * xa / np.expand_dims(s, self.ax)), shape))
            else:
                out.append(None)
        return tuple(out)

    def backward_graph(self, g):
        """The formula above on tensors (cos and the norms recomputed, so they are differentiated)."""
        a, b = self.parents
        ax = self.ax
        g = reduce_grad_graph(g, self.n, self.reduction) * g._make(self.dcos.astype(g._data.dtype))
        s_a = (a * a).sum(dim=-1, keepdim=True) + _COS_EPS
        s_b = (b * b).sum(dim=-1, keepdim=True) + _COS_EPS
        root = (s_a * s_b).sqrt()
        cos = (a * b).sum(dim=-1, keepdim=True) / root
        gc = g.unsqueeze(ax)
        out = []
        for i, (xa, xb, s, shape) in enumerate(((a, b, s_a, self.s1), (b, a, s_b, self.s2))):
            if self.needs_input_grad[i]:
                out.append(sum_to(gc * (xb / root - cos * xa / s), shape))
            else:
                out.append(None)
        return tuple(out)


class TripletMarginFn(Op):
    r"""l = max(0, m + d(a, p) - d(a, n)),  d(u, v) = ||u - v + \epsilon||_p along the last axis;
    with ``swap``, d(a, n) is replaced by min(d(a, n), d(p, n)) (the harder negative).

    Where the hinge is active: dl/dd(a, p) = 1, dl/dd_neg = -1, passed to each pair by the p-norm's
    derivative (see :mod:`mlplab.ops.distance`); a tie in the swap's min splits the gradient in half.
    """

    arity = 3

    backward_name = "ClampMinBackward0"

    def forward(self, a, p, n, margin, norm, eps, swap, reduction):
        self.shapes = (a.shape, p.shape, n.shape)
        self.eps = e = np.asarray(eps, dtype=np.result_type(a, p, n))
        self.pairs = pairs = [(0, 1, a - p + e), (0, 2, a - n + e)]
        if swap:
            pairs.append((1, 2, p - n + e))
        ax = max(max(len(s) for s in self.shapes) - 1, 0)
        self.ax, self.norm = ax, norm
        self.dists = dists = [pnorm(v, norm, ax) for _, _, v in pairs]
        d_neg = dists[1]
        self.w_neg = [np.ones_like(d_neg), None]
        if swap:
            d_sw = dists[2]
            w = np.where(d_neg < d_sw, 1.0, np.where(d_neg == d_sw, 0.5, 0.0)).astype(d_neg.dtype)
            self.w_neg = [w]
            self.w_neg.append(1 - self.w_neg[0])
            d_neg = np.minimum(d_neg, d_sw)
        h = (margin + dists[0] - d_neg).squeeze(ax)
        self.active = (h >= 0).astype(h.dtype)
        loss = np.maximum(h, 0)
        self.reduction, self.out_shape, self.size = reduction, loss.shape, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        g = np.expand_dims(reduce_grad(g, self.out_shape, self.size, self.reduction) * self.active, self.ax)
        grads: list = [0, 0, 0]
        coefs = [g, -g * self.w_neg[0]] + ([-g * self.w_neg[1]] if len(self.pairs) == 3 else [])
        for (i, j, v), dist, c in zip(self.pairs, self.dists, coefs):
            gv = pnorm_backward(v, dist, self.norm, c, self.ax)
            grads[i] = grads[i] + gv
            grads[j] = grads[j] - gv
        needs = self.needs_input_grad
        # each input takes part in a pair whose difference has at least its own shape
        return tuple(
            unbroadcast(gr, s) if needs[k] else None for k, (gr, s) in enumerate(zip(grads, self.shapes))
        )

    def backward_graph(self, g):
        """The same on tensors: the distances' derivatives recorded by :func:`pnorm_backward_graph`."""
        xs = self.parents
        g = reduce_grad_graph(g, self.size, self.reduction) * g._make(self.active)
        g = g.unsqueeze(self.ax)
        grads: list = [None, None, None]
        coefs = [g, -g * g._make(self.w_neg[0])]
        if len(self.pairs) == 3:
            coefs.append(-g * g._make(self.w_neg[1]))
        for (i, j, _), dist, c in zip(self.pairs, self.dists, coefs):
            gv = pnorm_backward_graph(xs[i] - xs[j] + float(self.eps), dist, self.norm, c, self.ax)
            grads[i] = gv if grads[i] is None else grads[i] + gv
            grads[j] = -gv if grads[j] is None else grads[j] - gv
        needs = self.needs_input_grad
        return tuple(sum_to(gr, s) if needs[k] else None for k, (gr, s) in enumerate(zip(grads, self.shapes)))
