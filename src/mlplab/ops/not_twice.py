r"""The first derivative of an op whose second derivative PyTorch does not implement
(``multi_margin_loss``, ``hardsigmoid``): under ``create_graph=True`` the gradient is returned as
PyTorch returns it, a tensor whose node (``torch::autograd::NotImplemented``) raises PyTorch's
RuntimeError only when it is differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.op import Op


class NotImplementedTwice(Op):
    """y = the given gradient array;  differentiating y raises
    ``derivative for aten::<op>_backward is not implemented`` (PyTorch's message)."""

    backward_name = "torch::autograd::NotImplemented"

    def forward(self, value, aten, *arrays):
        self.aten = aten
        return value

    def backward(self, g):
        raise RuntimeError(f"derivative for {self.aten} is not implemented")

    def backward_graph(self, g):
        return self.backward(g)


def not_implemented_twice(value: np.ndarray, aten: str, g: Any, *inputs: Any) -> Any:
    """``value`` (the op's first derivative, computed on arrays) as a tensor recorded on ``g`` and
    the op's ``inputs``, so that its second derivative raises, as in PyTorch."""
    return NotImplementedTwice.apply(value, aten, g, *inputs)
