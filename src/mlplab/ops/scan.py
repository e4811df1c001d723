r"""Scans other than cumsum: the running product and the running log-sum-exp along one axis.

Both gradients are written as the sum over the outputs each input reaches,
dx_k = sum_{j >= k} g_j dy_j/dx_k, with an (n, n) table along the scanned axis: exact where x has
zeros (the running product) and free of overflow (the log-sum-exp), at O(n^2) memory along that
axis, which is small for the vectors of a fully-connected network.
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import OUTPUT, Op


def _upper(n: int) -> np.ndarray:
    """mask[k, j] = j >= k: the outputs j that input k reaches."""
    return np.triu(np.ones((n, n), np.bool_))


class CumProd(Op):
    """y_j = prod_{i <= j} x_i along ``dim``;
    dy_j/dx_k = prod_{i <= j, i != k} x_i for j >= k (the running product with x_k taken as 1)."""

    arity = 1
    saves = (0,)

    def forward(self, x, dim):
        self.x, self.dim = x, dim
        return np.cumprod(x, axis=dim)

    def _table(self, x):
        """t[..., k, j] = prod_{i <= j, i != k} x_i (x moved so that the scanned axis is last)."""
        n = x.shape[-1]
        rep = np.repeat(x[..., None, :], n, axis=-2)  # rep[..., k, :] = x
        eye = np.eye(n, dtype=np.bool_)
        rep = np.where(eye, np.ones((), x.dtype), rep)
        return np.cumprod(rep, axis=-1)

    def backward(self, g):
        x = np.moveaxis(self.x, self.dim, -1)
        gl = np.moveaxis(g, self.dim, -1)
        t = self._table(x) * _upper(x.shape[-1])
        return np.moveaxis(np.einsum("...kj,...j->...k", t, gl), -1, self.dim)

    def backward_graph(self, g):
        (xt,) = self.parents
        n = xt.shape[self.dim] if xt.dim() else 1
        x = xt.movedim(self.dim, -1)
        rep = x.unsqueeze(-2).expand(*x.shape[:-1], n, n)
        eye = g._make(np.eye(n, dtype=np.bool_))
        rep = rep.masked_fill(eye, 1.0)
        t = CumProd.apply(rep, rep.dim() - 1) * g._make(_upper(n).astype(g._data.dtype))
        gl = g.movedim(self.dim, -1).unsqueeze(-2)
        return (t * gl).sum(-1).movedim(-1, self.dim)


class LogCumSumExp(Op):
    """y_j = log sum_{i <= j} exp(x_i) along ``dim`` (computed with logaddexp, stable);
    dy_j/dx_k = exp(x_k - y_j) for j >= k."""

    arity = 1
    saves = (0, OUTPUT)

    def forward(self, x, dim):
        self.x, self.dim = x, dim
        self.y = np.logaddexp.accumulate(x, axis=dim)
        return self.y

    def backward(self, g):
        x = np.moveaxis(self.x, self.dim, -1)
        y = np.moveaxis(self.y, self.dim, -1)
        gl = np.moveaxis(g, self.dim, -1)
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.exp(x[..., :, None] - y[..., None, :])
        d = np.where(_upper(x.shape[-1]), d, np.zeros((), d.dtype))
        return np.moveaxis(np.einsum("...kj,...j->...k", d, gl), -1, self.dim)

    def backward_graph(self, g):
        (xt,) = self.parents
        n = xt.shape[self.dim] if xt.dim() else 1
        x = xt.movedim(self.dim, -1)
        y = LogCumSumExp.apply(xt, self.dim).movedim(self.dim, -1)
        d = (x.unsqueeze(-1) - y.unsqueeze(-2)).exp()
        d = d.masked_fill(g._make(~_upper(n)), 0.0)
        gl = g.movedim(self.dim, -1).unsqueeze(-2)
        return (d * gl).sum(-1).movedim(-1, self.dim)
