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


class AsStrided(Op):
    """y = the elements of base b at flat positions p (a view made outside the graph, after its
    base joined it by an in-place change: PyTorch's ``AsStridedBackward0``);
    dL/db = dL/dy added at p (twice where p repeats, as an expanded view's does).

    Not applied: :meth:`node` makes the node of an existing view ``y`` of ``b``
    (``_tensor/inplace_view.py``)."""

    arity = 1
    is_view = True
    returns_fresh_grads = True

    @classmethod
    def node(cls, b, index, version, sequence_number):
        """The node of a view of tensor ``b`` at positions ``index`` (b's memory at ``version``)."""
        fn = cls.__new__(cls)
        fn.parents = (b,)
        fn.needs_input_grad = (True,)
        fn.sequence_number = sequence_number
        fn.saved_versions = (version,)
        fn.index, fn.shape = index, b._data.shape
        return fn

    def forward(self, x, index):
        self.index, self.shape = index, x.shape
        return x.reshape(-1)[index]

    def backward(self, g):
        out = np.zeros(int(np.prod(self.shape)), g.dtype)
        np.add.at(out, self.index.reshape(-1), g.reshape(-1))
        return out.reshape(self.shape)

    def backward_graph(self, g):
        flat = g._make(np.zeros(int(np.prod(self.shape)), g._data.dtype))
        index = g._make(self.index.reshape(-1).astype(np.int64))
        return flat.scatter_add(0, index, g.reshape(-1)).reshape(self.shape)

    def replay(self, x, shape):
        return x.reshape(-1)[self.index]


class RefusedView:
    """The ``grad_fn`` of a view made under no_grad (or an output of ``split``/``unbind``) whose
    base joined the graph by an in-place change made through another view. PyTorch refuses to use
    such a view with grad mode on, and so does mlplab (its ``_requires_grad`` is a
    ``view_bases.RefusedUse``), so no node ever has it as an input: this only names it as
    PyTorch's repr does (``grad_fn=<Invalid>``). Not an ``Op``: it has no derivative to give."""

    __slots__ = ("message", "retained_output")  # retain_grad() writes the latter, as on a node

    @classmethod
    def node(cls, b, message, sequence_number):
        fn = cls.__new__(cls)
        fn.message = message
        return fn

    @staticmethod
    def name() -> str:
        return "Invalid"

    def __repr__(self) -> str:
        return "<Invalid object>"
