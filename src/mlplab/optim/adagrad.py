"""``Adagrad``: a per-coordinate learning rate from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcdiv, gradient
from .optimizer import Optimizer, next_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    __doc__ = f"""Adagrad: divide each coordinate's step by the root of its accumulated squared gradients.

    For each parameter w with gradient g, at step t = 1, 2, ... (G_0 = initial_accumulator_value)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        clr <- lr / (1 + (t - 1) * lr_decay)
        G <- G + g * g
        w <- w - clr * g / (sqrt(G) + eps)

    The notes' form ``G <- G + grad^2; W <- W - eta / (sqrt(G) + eps) * grad`` is lr_decay = 0.
    Coordinates with a large history of gradients get small steps, rarely-updated ones keep large
    steps; the sum only grows, so the effective learning rate only shrinks (RMSprop fixes that).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 coefficient added to the gradient (default 0).
        initial_accumulator_value: starting value of G (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None,
                 capturable: bool = False) -> None:  # fmt: skip
        check(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, group_defaults(locals(), leave_out=("capturable",)))
        for group in self.param_groups:  # PyTorch creates Adagrad's state at construction
            for p in group["params"]:
                self._new_state(p, group)

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"sum": group["initial_accumulator_value"]}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's decayed learning rate ``clr = lr / (1 + (t - 1) lr_decay)`` and the group's rest."""
        t = next_step(state)
        clr = learning_rate(group) / (1 + (t - 1) * group["lr_decay"])
        return clr, group["eps"], group["weight_decay"], group["maximize"]

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        clr, eps, weight_decay, maximize = s
        G = state[0]
        grad, std, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        G += np.multiply(g, g, out=std)  # G <- G + g g
        std = np.sqrt(G, out=std)  # std <- sqrt(G) + eps
        std += eps
        return addcdiv(g, std, -clr, out=grad), 1.0  # w <- w - clr g / std
