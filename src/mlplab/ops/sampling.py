"""Sampling with tensor-valued parameters: ``normal(mean, std)``."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op


class NormalSample(Op):
    """y = mean + std * z, z ~ N(0, 1) drawn by the caller (broadcast shapes).

    dy/dmean = 0 and dy/dstd = 0, as torch defines them (``normal.Tensor_Tensor`` in its
    derivatives.yaml): the sample is treated as independent of its parameters. The
    reparameterised gradient (dy/dmean = 1, dy/dstd = z) is what ``mean + std * randn_like(mean)``
    gives.
    """

    arity = 2

    def forward(self, mean, std, z, overload):
        # overload: torch's grad_fn number (1: tensor mean, 2: tensor std, 3: both tensors)
        self.shapes, self.overload = (mean.shape, std.shape), overload
        return mean + std * z

    def name(self) -> str:
        return f"NormalBackward{self.overload}"

    def backward(self, grad):
        return np.zeros(self.shapes[0], grad.dtype), np.zeros(self.shapes[1], grad.dtype)

    def backward_graph(self, grad):
        return tuple(grad._make(a) for a in self.backward(grad._data))
