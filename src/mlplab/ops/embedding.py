r"""Embedding lookup, one ``Op``: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op


class EmbeddingFn(Op):
    r"""y[..., :] = W[i[...], :]  (W: (V, D), i: integer indices of any shape; y: i.shape + (D,)).

    dL/dW_v = \sum_{positions p with i_p = v} g_p: the gradient of each row is the sum of the
    output gradients that looked it up; none for the row ``padding_idx`` (a fixed pad), and with
    ``scale_grad_by_freq`` each g_p is divided by how often i_p occurs in this batch.

    The scatter runs on the flattened weight: element (v, j) is the flat index v * D + j, so one
    1-D ``np.add.at`` (NumPy's fast path) adds every g_p[j] in the same order as a row-wise
    ``np.add.at(gw, i, g)`` would (positions in order per element): the same sums, bit for bit,
    several times faster.
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
        gw = np.zeros(v * d, dtype=g.dtype)
        flat = (idx.astype(np.intp, copy=False)[:, None] * d + np.arange(d)).reshape(-1)
        np.add.at(gw, flat, np.ascontiguousarray(g).reshape(-1))
        return gw.reshape(v, d)
