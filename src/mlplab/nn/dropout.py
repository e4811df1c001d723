"""``Dropout`` (inverted dropout) and ``AlphaDropout`` (for SELU networks), active only in training mode."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from ..ops.dropout import MaskFn, dropout_mask
from ..tensor import Tensor
from .functional.layers import _check_p, alpha_dropout
from .module import Module

__all__ = ["AlphaDropout", "Dropout"]


class Dropout(Module):
    r"""In training, zero each element with probability p and scale the rest by 1/(1 - p) so the
    expected activation is unchanged; in eval mode the identity (hence ``model.eval()`` before
    testing). The mask comes from mlplab's generator (``mlplab.manual_seed``).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_p(p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        p = self.p
        if not self.training or p == 0.0:
            return input
        x = input._data
        mask = dropout_mask(x.shape, p, x.dtype)
        if self.inplace:
            return input._apply_(lambda t: MaskFn.apply(t, mask))
        return MaskFn.apply(input, mask)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class AlphaDropout(Dropout):
    r"""Alpha dropout (Klambauer et al., 2017): dropped units are set to SELU's negative saturation
    and the output is rescaled and shifted to keep zero mean and unit variance; use with SELU."""

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training)
