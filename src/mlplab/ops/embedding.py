r"""Embedding lookup, one ``Op``: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op
from .not_twice import NotImplementedBackward, not_implemented_twice
from .shape import IndexScatter


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
        gw = np.zeros((v, d), dtype=g.dtype)
        _add_rows(gw, idx.astype(np.intp, copy=False), np.ascontiguousarray(g))
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


def _segment_sums(values: np.ndarray, counts: np.ndarray, d: int) -> np.ndarray:
    """Sums of consecutive runs of ``values``' rows, of lengths ``counts`` (zeros for an empty run):
    one ``np.add.reduceat`` instead of ``np.add.at``'s element-by-element scatter."""
    out = np.zeros((counts.size, d), dtype=values.dtype)
    full = counts > 0
    if values.shape[0]:
        starts = np.cumsum(counts) - counts
        out[full] = np.add.reduceat(values, starts[full], axis=0)
    return out


def _flat(rows: np.ndarray, d: int) -> np.ndarray:
    """The flat positions of the d columns of each of ``rows`` in a C-ordered (., d) array."""
    return (rows[:, None] * d + np.arange(d)).reshape(-1)


def _add_rows(target: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """target[idx[e]] += values[e] for every e (repeated indices add up), as one 1-D ``np.add.at``
    on flat positions: NumPy's fast path, several times faster than scattering whole rows."""
    np.add.at(target.reshape(-1), _flat(idx, target.shape[1]), values.reshape(-1))


class EmbeddingBagFn(Op):
    r"""Bags of embeddings reduced to one vector each. Element e of the flat index array ``idx``
    belongs to bag ``bag[e]`` (B bags); elements equal to ``padding_idx`` are left out.

    sum:  y_b = \sum_{e in b} s_e W[i_e]          (s_e: per-sample weight, 1 without them)
    mean: y_b = (1 / n_b) \sum_{e in b} W[i_e]    (n_b: the bag's elements kept; 0 for an empty bag)
    max:  y_{b,d} = \max_{e in b} W[i_e, d]       (0 for an empty bag)

    dL/dW_v = \sum_{e: i_e = v} c_e g_{bag e} with c_e = s_e (sum), 1 / n_b (mean); max sends
    g_{b,d} to the row that attained the maximum. dL/ds_e = g_{bag e} . W[i_e] (0 for padding).
    With ``scale_grad_by_freq`` each row's gradient is divided by its index's count in the batch.
    The tensor arguments are ``weight`` and, when given, ``per_sample_weights``.
    """

    backward_name = "EmbeddingBagBackward0"

    def forward(self, weight, psw, idx, bag, n_bags, mode, padding_idx, scale_grad_by_freq):
        keep = idx != padding_idx if padding_idx is not None else np.ones(idx.shape, bool)
        self.idx, self.bag, self.keep, self.mode = idx[keep], bag[keep], keep, mode
        self.scale, self.psw, self.n_rows = scale_grad_by_freq, psw, weight.shape[0]
        self.counts_all = np.bincount(idx, minlength=weight.shape[0]) if scale_grad_by_freq else None
        rows = weight[self.idx]  # a copy: psw's gradient reads the rows as they were here
        self.rows = rows if psw is not None else None
        d = weight.shape[1]
        if mode == "max":
            out = np.full((n_bags, d), -np.inf, dtype=weight.dtype)
            flat = _flat(self.bag, d)
            np.maximum.at(out.reshape(-1), flat, rows.reshape(-1))
            # the element attaining each maximum (the first one where several tie)
            pos = np.arange(self.idx.size)[:, None]
            hit = np.where(rows == out[self.bag], pos, self.idx.size)
            first = np.full((n_bags, d), self.idx.size, dtype=np.int64)
            np.minimum.at(first.reshape(-1), flat, hit.reshape(-1))
            self.argmax = first
            out[np.isneginf(out) & (first == self.idx.size)] = 0
            return out
        if psw is not None:
            rows = rows * psw[keep][:, None]
        n = np.bincount(self.bag, minlength=n_bags)
        out = _segment_sums(rows, n, d)
        if mode == "mean":
            self.n = n.astype(weight.dtype)
            out /= np.maximum(self.n, 1)[:, None]
        return out

    def backward(self, g):
        gw = np.zeros((self.n_rows, g.shape[1]), dtype=g.dtype)
        if self.mode == "max":
            b, d = np.nonzero(self.argmax < self.idx.size)
            np.add.at(gw.reshape(-1), self.idx[self.argmax[b, d]] * gw.shape[1] + d, g[b, d])
        else:
            ge = g[self.bag]
            if self.mode == "mean":
                ge = ge / np.maximum(self.n, 1)[self.bag][:, None]
            elif self.psw is not None:
                ge = ge * self.psw[self.keep][:, None]
            _add_rows(gw, self.idx, ge)
        if self.scale:
            gw /= np.maximum(self.counts_all, 1)[:, None].astype(g.dtype)
        if self.psw is None:
            return gw
        gs = np.zeros(self.keep.shape, dtype=g.dtype)
        gs[self.keep] = np.einsum("ed,ed->e", g[self.bag], self.rows)
        return gw, gs

    def backward_graph(self, g):
        """As torch 2.13, which has no derivative of embedding_bag's backward: the first derivative,
        on nodes that raise torch's errors when differentiated again (``NotImplementedError`` for the
        weight's gradient, ``RuntimeError`` for the per-sample weights'), each recorded on what
        torch's backward reads: g (and s) for the weight's, g and W for s's."""
        grads = self.backward(g._data)
        name = "EmbeddingBagBackwardBackward0"
        if self.psw is None:
            return NotImplementedBackward.apply(grads, "_embedding_bag_backward", name, g)
        weight, psw = self.parents
        gw = NotImplementedBackward.apply(grads[0], "_embedding_bag_backward", name, g, psw)
        aten = "aten::_embedding_bag_per_sample_weights_backward"
        return gw, not_implemented_twice(grads[1], aten, g, weight)
