"""``CopySlices``: the node of an in-place change made through a view (PyTorch's name for it)."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op


class CopySlices(Op):
    """b' = b with the view's elements replaced by r (``b[0].mul_(3)``: r = 3 b[0]);
    dL/db = dL/db' with the view's elements zeroed,  dL/dr = dL/db' at the view's elements.

    Called as ``CopySlices.apply(b, r, view, index)``: ``view`` is the view's array (it shares b's
    memory, so forward writes r there and returns b's array itself), ``index`` the flat positions
    in b of the view's elements (an integer array of the view's shape)."""

    arity = 2
    returns_fresh_grads = True
    backward_name = "CopySlices"

    def forward(self, b, r, view, index):
        np.copyto(view, r, casting="unsafe")
        self.index = index
        return b

    def backward(self, g):
        gb = gr = None
        if self.needs_input_grad[0]:
            gb = np.array(g, order="C")
            gb.reshape(-1)[self.index] = 0
        if self.needs_input_grad[1]:
            gr = g.reshape(-1)[self.index]
        return gb, gr

    def backward_graph(self, g):
        gb = gr = None
        if self.needs_input_grad[0]:
            keep = np.ones(g._data.shape, g._data.dtype)
            keep.reshape(-1)[self.index] = 0
            gb = g * g._make(keep)
        if self.needs_input_grad[1]:
            gr = g.reshape(-1)[g._make(self.index)]
        return gb, gr
