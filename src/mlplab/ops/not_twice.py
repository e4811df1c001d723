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


class NotImplementedBackward(NotImplementedTwice):
    """y = the given gradient array, on a node named after torch's (``<Op>BackwardBackward0``)
    whose derivative raises torch's ``NotImplementedError: the derivative for '<aten>' is not
    implemented.`` (torch's form where an op's backward has no derivative formula)."""

    backward_name = "BackwardBackward0"

    def forward(self, value, aten, name, *arrays):
        self.aten, self.backward_name = aten, name
        return value

    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.aten}' is not implemented.")


def not_implemented_twice(value: np.ndarray, aten: str, g: Any, *inputs: Any) -> Any:
    """``value`` (the op's first derivative, computed on arrays) as a tensor recorded on ``g`` and
    the op's ``inputs``, so that its second derivative raises, as in PyTorch."""
    return NotImplementedTwice.apply(value, aten, g, *inputs)


class DelayedError(Op):
    """y = x;  differentiating y raises ``message``: a first derivative that is right but whose own
    derivative is not (torch's ``DelayedError`` node, e.g. a product's gradient at several zeros)."""

    arity = 1
    backward_name = "torch::autograd::Error"

    def forward(self, x, message):
        self.message = message
        return x

    def backward(self, g):
        raise RuntimeError(self.message)

    def backward_graph(self, g):
        return self.backward(g)
