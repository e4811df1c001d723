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

from ..autograd.op import OUTPUT
from ._numerics import relu_array
from .linear import LinearFn

_tanh = np.tanh


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
