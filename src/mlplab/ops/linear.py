r"""Matrix products: ``matmul`` and the fused affine map ``linear`` (y = x W^T + b).

Fusing is where the math fuses: y = x W^T + b is one node whose backward is three matrix
products, not a transpose, a matmul and a broadcast add recorded separately.
"""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to

# For 2-D operands np.dot reaches the same BLAS routine (sgemm/dgemm, or gemv for one row) as the
# matmul ufunc, so its result is bitwise the same (tests/ops/test_linear_fast.py checks it), but
# without the ufunc machinery: 0.4-0.9 us less per product, most of a batch-1 step's matmul cost.
_dot = np.dot
_sum, _add = np.add.reduce, np.add


class MatMul(Op):
    """Z = X @ Y (NumPy matmul semantics: 1-D promotion, batched broadcasting).

    dL/dX = dL/dZ @ Y^T,  dL/dY = X^T @ dL/dZ, summed over broadcast batch axes.
    """

    arity = 2
    saves = ((1,), (0,))

    def forward(self, x, y):
        self.x, self.y = x, y
        return x @ y

    def name(self) -> str:
        nx, ny = self.x.ndim, self.y.ndim
        if nx == 2 and ny == 2:
            return "MmBackward0"
        if nx == 2 and ny == 1:
            return "MvBackward0"
        if nx == 1 and ny == 1:
            return "DotBackward0"
        return "UnsafeViewBackward0" if nx > 2 else "SqueezeBackward4"

    def backward(self, g):
        x, y = self.x, self.y
        if x.ndim == 2 and y.ndim == 2:
            gx = g @ y.T if self.needs_input_grad[0] else None
            gy = x.T @ g if self.needs_input_grad[1] else None
            return gx, gy
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = g.reshape(np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2]) + (x2.shape[-2], y2.shape[-1]))
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2.shape).reshape(x.shape)
        if self.needs_input_grad[1]:
            gy = unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2.shape).reshape(y.shape)
        return gx, gy

    def backward_graph(self, g):
        x, y = self.parents
        x2 = x.unsqueeze(0) if x.dim() == 1 else x
        y2 = y.unsqueeze(-1) if y.dim() == 1 else y
        batch = np.broadcast_shapes(tuple(x2.shape[:-2]), tuple(y2.shape[:-2]))
        g2 = g.reshape(batch + (x2.shape[-2], y2.shape[-1]))
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = sum_to(g2 @ y2.transpose(-1, -2), tuple(x2.shape)).reshape(tuple(x.shape))
        if self.needs_input_grad[1]:
            gy = sum_to(x2.transpose(-1, -2) @ g2, tuple(y2.shape)).reshape(tuple(y.shape))
        return gx, gy


class LinearFn(Op):
    r"""y = x W^T + b  (x: (*, in), W: (out, in), b: (out,)).

    Backward, with g = dL/dy flattened to (M, out) and x to (M, in):
    dL/dx = g W,  dL/dW = g^T x,  dL/db = \sum_rows g.
    """

    arity = 3
    saves = ((1,), (0,), ())  # dx reads W, dW reads x
    backward_name = "AddmmBackward0"
    returns_fresh_grads = True  # three fresh products/sums: leaves keep them without a copy

    def forward(self, x, w, b=None):
        self.x, self.w = x, w
        y = _dot(x, w.T) if x.ndim == 2 else x @ w.T
        if b is not None:
            y += b
        return y

    def backward(self, g):
        x, w = self.x, self.w
        needs = self.needs_input_grad
        if x.ndim == 2:
            g2, x2 = g, x
            gx = _dot(g, w) if needs[0] else None
        else:
            gx = g @ w if needs[0] else None
            if x.ndim == 1:
                g2, x2 = g.reshape(1, -1), x.reshape(1, -1)
            else:
                g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        gw = _dot(g2.T, x2) if needs[1] else None
        if len(needs) == 3:
            if not needs[2]:
                return gx, gw, None
            # one row (batch 1): its sum is the row + 0, bitwise what the reduction computes (it
            # starts from +0: -0.0 comes out +0.0), in one elementwise call instead of a reduction
            return gx, gw, (_add(g2.reshape(-1), 0.0) if g2.shape[0] == 1 else _sum(g2, 0))
        return gx, gw

    def backward_graph(self, g):
        x, w = self.parents[0], self.parents[1]
        needs = self.needs_input_grad
        gx = g @ w if needs[0] else None
        g2 = g.reshape(-1, g.shape[-1]) if g.dim() != 2 else g
        x2 = x.reshape(-1, x.shape[-1]) if x.dim() != 2 else x
        gw = g2.transpose(0, 1) @ x2 if needs[1] else None
        if len(needs) == 3:
            return gx, gw, (g2.sum(dim=0) if needs[2] else None)
        return gx, gw


class LinearNoBiasFn(LinearFn):
    r"""y = x W^T (``linear`` without a bias): dL/dx = g W,  dL/dW = g^T x."""

    arity = 2
    backward_name = "MmBackward0"
