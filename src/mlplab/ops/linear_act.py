r"""Fused affine map + activation: y = act(x W^T + b) as one node (``Sequential``'s fast path).

``Sequential`` runs ``Linear`` followed by ``Tanh`` or ``ReLU`` (exact types, no hooks) through
one of these instead of two nodes. The intermediate z = x W^T + b is never visible there, so the
activation overwrites it in place (one array fewer per layer), and the graph has one node fewer
to record and to run. Backward is the two derivatives in turn, with the same array expressions as
the two separate ops, so values and gradients are bitwise those of ``LinearFn`` then ``Tanh`` /
``Relu`` (``tests/test_fwd_fast_paths.py`` compares them over random shapes and both float dtypes):

    tanh:  dL/dz = g (1 - y^2)                 relu:  dL/dz = g [z > 0]
    then   dL/dx = dL/dz W,  dL/dW = (dL/dz)^T x,  dL/db = \sum_rows dL/dz.

The output's ``grad_fn`` carries the activation's PyTorch name (``TanhBackward0``,
``ReluBackward0``), the name the unfused graph gives the same tensor.
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.op import OUTPUT, _sequence
from ._numerics import relu_array
from .linear import LinearFn

_tanh = np.tanh
_new = object.__new__
_state = grad_mode.state


class LinearTanhFn(LinearFn):
    """y = tanh(x W^T + b);  dL/dz = g (1 - y^2), then ``LinearFn``'s backward."""

    # dx reads W, dW reads x, and all three read the output (tanh's derivative is 1 - y^2)
    saves = ((1, OUTPUT), (0, OUTPUT), (OUTPUT,))
    backward_name = "TanhBackward0"

    def forward(self, x, w, b):
        z = LinearFn.forward(self, x, w, b)
        self.y = y = _tanh(z, out=z)  # z is this node's own fresh array
        return y

    def backward(self, g):
        y = self.y
        d = y * y  # a fresh array: 1 - y^2 and its product with g are built in it
        if d.dtype != g.dtype or d.shape != g.shape:  # what g * (1 - y * y) would promote or broadcast
            return LinearFn.backward(self, g * (1 - d))
        np.subtract(1, d, out=d)
        d *= g  # (1 - y^2) g: the product g (1 - y^2), bit for bit
        return LinearFn.backward(self, d)

    def backward_graph(self, g):
        y = LinearFn.apply(*self.parents).tanh()
        return LinearFn.backward_graph(self, g * (1 - y * y))


class LinearReluFn(LinearFn):
    """y = max(0, x W^T + b);  dL/dz = g [z > 0], then ``LinearFn``'s backward."""

    saves = ((1, OUTPUT), (0, OUTPUT), (OUTPUT,))  # relu saves its output, as PyTorch
    backward_name = "ReluBackward0"

    def forward(self, x, w, b):
        z = LinearFn.forward(self, x, w, b)
        self.mask = z > 0
        return relu_array(z, out=z)

    def backward(self, g):
        return LinearFn.backward(self, g * self.mask)

    def backward_graph(self, g):
        mask = g._make(self.mask.astype(g._data.dtype))
        return LinearFn.backward_graph(self, g * mask)


class LinearActLinearFn(LinearFn):
    r"""z = act(x W_1^T + b_1) W_2^T + b_2 as one node (``Sequential``'s Linear, Tanh/ReLU, Linear).

    ``inner`` is the fused first half (:class:`LinearTanhFn` or :class:`LinearReluFn`); the node
    runs that op's forward and then ``LinearFn``'s on its output h, which no one else sees, and
    backward runs the two backwards in turn on the same arrays: values and gradients are bitwise
    those of the two nodes (dL/dh = g W_2 goes straight to the first half, as the engine's chain
    sends it). Its tensors are (x, W_1, b_1, W_2, b_2); the output's ``grad_fn`` is named as the
    second Linear's (``AddmmBackward0``).

    What it reads matches the two nodes' saved tensors, so the same in-place changes raise: the
    gradient of x reads W_1 and W_2, of W_1 reads x and W_2, of b_1 reads W_2 (all through
    dL/dh = g W_2), of W_2 reads h (never changed: no one else holds it). A pass that wants none
    of x, W_1, b_1 (``autograd.grad(loss, [W_2])``) runs where the two nodes would run only the
    second: :meth:`prune` makes it skip the first half's work and its reads of x and W_1 (W_2 is
    still read when h required grad, as the second node's saved W_2 is).
    """

    saves = ((1, 3), (0, 3), (3,), (), ())
    backward_name = "AddmmBackward0"
    returns_fresh_grads = True
    inner_cls: type = LinearTanhFn
    #: set by autograd.grad for one pass: the first half is not wanted (see the class docstring)
    skip_inner = False

    @classmethod
    def apply(cls, x, w1, b1, w2, b2, inner_cls):  # Op.apply's fast path, for five tensors
        fn = _new(cls)
        fn.inner_cls = inner_cls
        out = fn.forward(x._data, w1._data, b1._data, w2._data, b2._data)
        t = _new(x._output_type)
        t._data = out
        t.grad = None
        t._version_counter = None
        needs = (x._requires_grad, w1._requires_grad, b1._requires_grad, w2._requires_grad, b2._requires_grad)
        if (needs[0] or needs[1] or needs[2] or needs[3] or needs[4]) and _state.enabled:
            fn.parents = (x, w1, b1, w2, b2)
            fn.needs_input_grad = needs
            fn.sequence_number = next(_sequence)
            v0, v1, v2 = x._version_counter, w1._version_counter, b1._version_counter
            v3, v4 = w2._version_counter, b2._version_counter
            if v0 is not None or v1 is not None or v2 is not None or v3 is not None or v4 is not None:
                fn.saved_versions = (
                    0 if v0 is None else v0[0],
                    0 if v1 is None else v1[0],
                    0 if v2 is None else v2[0],
                    0 if v3 is None else v3[0],
                    0 if v4 is None else v4[0],
                )
            # the two halves' needs, as the two nodes would have recorded them (h requires grad
            # when x, W_1 or b_1 does)
            fn.inner.needs_input_grad = needs[:3]
            fn.outer.needs_input_grad = (bool(needs[0] or needs[1] or needs[2]), needs[3], needs[4])
            t._requires_grad = True
            t.grad_fn = fn
        else:
            t._requires_grad = False
            t.grad_fn = None
        return t

    def forward(self, x, w1, b1, w2, b2):
        # the two halves are ops of their own (never recorded), holding what their backwards read
        self.inner = inner = _new(self.inner_cls)
        self.outer = outer = _new(LinearFn)
        return LinearFn.forward(outer, inner.forward(x, w1, b1), w2, b2)

    def reads(self, i: int) -> tuple:
        if self.skip_inner and i < 3:  # only the second node runs: it reads W_2 for dL/dh
            return (3,)
        return self.saves[i]

    def prune(self, wanted: bool) -> None:
        """Say whether this pass wants the first half (any of x, W_1, b_1); see the class docstring."""
        self.skip_inner = not wanted

    def _halves(self) -> tuple:
        """The needs of the second node (h, W_2, b_2) and, None when skipped, of the first (x, W_1, b_1)."""
        n = self.needs_input_grad
        if self.skip_inner:
            return (False, n[3], n[4]), None
        return (bool(n[0] or n[1] or n[2]), n[3], n[4]), n[:3]

    def backward(self, g):
        outer = self.outer
        if self.skip_inner:  # the second half alone, without dL/dh
            needs = outer.needs_input_grad
            outer.needs_input_grad = (False, needs[1], needs[2])
            try:
                _, gw2, gb2 = outer.backward(g)
            finally:
                outer.needs_input_grad = needs
            return None, None, None, gw2, gb2
        gh, gw2, gb2 = outer.backward(g)
        if gh is None:
            return None, None, None, gw2, gb2
        gx, gw1, gb1 = self.inner.backward(gh)
        return gx, gw1, gb1, gw2, gb2

    def backward_graph(self, g):
        x, w1, b1, w2, b2 = self.parents
        outer_needs, inner_needs = self._halves()
        inner = _new(self.inner_cls)
        inner.parents = (x, w1, b1)
        h = self.inner_cls.apply(x, w1, b1)  # dW_2 = g^T h reads it: recomputed on the graph
        outer = _new(LinearFn)
        outer.parents, outer.needs_input_grad = (h, w2, b2), outer_needs
        gh, gw2, gb2 = LinearFn.backward_graph(outer, g)
        if inner_needs is None or gh is None:
            return None, None, None, gw2, gb2
        inner.needs_input_grad = inner_needs
        if self.inner_cls is LinearReluFn:
            inner.mask = self.inner.mask
        gx, gw1, gb1 = self.inner_cls.backward_graph(inner, gh)
        return gx, gw1, gb1, gw2, gb2
