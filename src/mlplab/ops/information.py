r"""Information theory's building block x log y (0 where x = 0), differentiable in x and y."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op, unbroadcast


class XLogYFn(Op):
    """z = x log y with z = 0 where x = 0;  dz/dx = log y,  dz/dy = x / y."""

    arity = 2
    saves = (0, 1)

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_y = log_y = np.log(y)
            return np.where(x == 0, 0, x * log_y).astype(np.result_type(x, y), copy=False)

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = unbroadcast(g * self.log_y, x.shape)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = unbroadcast(g * np.where(x == 0, 0, x / y), y.shape)
        return gx, gy
