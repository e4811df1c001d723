"""Regularisation penalties to add to a loss: ``l1_penalty`` and ``l2_penalty`` (differentiable).

The notes regularise by adding a norm of the weights to the loss, ``L' = L + (lambda/2) ||W||^2``,
whose gradient adds ``lambda * W`` to each weight's gradient. That is exactly what an optimiser's
``weight_decay=lambda`` does to the gradient (``g <- g + lambda * w``), so::

    loss + (wd / 2) * l2_penalty(params)   with SGD(weight_decay=0)
    loss                                   with SGD(weight_decay=wd)

take identical steps. Note the 1/2: ``wd * l2_penalty`` would decay twice as fast. Under Adam the
equivalence still holds for Adam's (coupled) ``weight_decay`` -- both go through the gradient -- but
neither is true weight decay: the term is divided by sqrt(v) with the rest of the gradient, so
weights with large gradients are hardly decayed. ``AdamW`` decouples it (``w <- w - lr*wd*w``),
independent of the gradient's scale; adding the penalty to the loss cannot reproduce that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._creation import tensor as _tensor
from ..tensor import Tensor

__all__ = ["l1_penalty", "l2_penalty"]


def _params(params: Any) -> list[Tensor]:
    if isinstance(params, Tensor):
        return [params]
    if hasattr(params, "parameters"):
        return list(params.parameters())
    return list(params)


def l2_penalty(params: Iterable[Tensor] | Any) -> Tensor:
    """``sum_i ||w_i||^2 = sum of every squared weight`` (no 1/2; see the module docstring).

    Accepts Tensors, an iterable of them, or an object with ``.parameters()``. Built from core ops,
    so ``backward`` gives ``2 * w`` to each weight.
    """
    total: Tensor | None = None
    for p in _params(params):
        term = (p * p).sum()
        total = term if total is None else total + term
    return total if total is not None else _tensor(0.0)


def l1_penalty(params: Iterable[Tensor] | Any) -> Tensor:
    """``sum_i |w_i|``, the sum of absolute weights; its gradient ``sign(w)`` drives weights to exactly 0."""
    total: Tensor | None = None
    for p in _params(params):
        term = p.abs().sum()
        total = term if total is None else total + term
    return total if total is not None else _tensor(0.0)
