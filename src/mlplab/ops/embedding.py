r"""Embedding lookup, one ``Op``: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from .shape import IndexScatter


class EmbeddingFn(Op):
    r"""y[..., :] = W[i[...], :]  (W: (V, D), i: integer indices of any shape; y: i.shape + (D,)).

    dL/dW_v = \sum_{positions p with i_p = v} g_p: the gradient of each row is the sum of the
    output gradients that looked it up; none for the row ``padding_idx`` (a fixed pad), and with
    ``scale_grad_by_freq`` each g_p is divided by how often i_p occurs in this batch.
    """

    arity = 1

    backward_name = "EmbeddingBackward0"

    def forward(self, weight, idx, padding_idx, scale_grad_by_freq):
        self.idx, self.padding_idx, self.scale = idx, padding_idx, scale_grad_by_freq
        self.shape = weight.shape
        return weight[idx]

    def backward(self, g):
        v, d = self.shape
        idx = self.idx.reshape(-1)
        g = g.reshape(-1, d)
        if self.scale:
            counts = np.bincount(idx, minlength=v)
            g = g / counts[idx][:, None].astype(g.dtype)
        if self.padding_idx is not None and self.padding_idx >= 0:
            keep = idx != self.padding_idx
            idx, g = idx[keep], g[keep]
        gw = np.zeros(self.shape, dtype=g.dtype)
        np.add.at(gw, idx, g)
        return gw

    def backward_graph(self, g):
        """The same sum, recorded: linear in g (the second derivative in W is 0)."""
        v, d = self.shape
        idx = self.idx.reshape(-1)
        coef = np.ones(idx.shape, g._data.dtype)
        if self.scale:
            coef = coef / np.bincount(idx, minlength=v)[idx]
        if self.padding_idx is not None and self.padding_idx >= 0:
            coef = coef * (idx != self.padding_idx)
        rows = g.reshape(-1, d) * g._make(coef.reshape(-1, 1).astype(g._data.dtype))
        return IndexScatter.apply(rows, self.shape, (idx,), True)
