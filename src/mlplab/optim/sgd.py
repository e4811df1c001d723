"""``SGD``: stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import add, add_, gradient
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    __doc__ = f"""Stochastic gradient descent, PyTorch's form (momentum=0: the notes' ``W <- W - lr*grad``).

    For each parameter w with gradient g, at step t::

        g <- -g                                 if maximize
        g <- g + weight_decay * w               if weight_decay != 0   (coupled L2 decay)
        if momentum != 0:
            b <- g                              at t = 1 (no dampening on the first step)
            b <- momentum * b + (1 - dampening) * g     afterwards
            g <- g + momentum * b               if nesterov
            g <- b                              otherwise
        w <- w - lr * g

    PyTorch's momentum sums gradients (``b = mu*b + g``); the notes' textbook form averages them
    (``v = a*v + (1-a)*g``, see :class:`mlplab.optim.Momentum`): the same path with lr scaled by (1-a).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-3, PyTorch 2.13's default).
        momentum: momentum factor mu (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None,
                 capturable: bool = False) -> None:  # fmt: skip
        check(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, group_defaults(locals(), leave_out=("capturable",)))

    scratch_count = 2

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"momentum_buffer": 0.0} if group["momentum"] != 0 else {}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """The group's hyper-parameters, and whether this is the momentum buffer's first step."""
        first = "momentum_buffer" not in state
        return (learning_rate(group), group["momentum"], group["dampening"], group["weight_decay"],
                group["nesterov"], group["maximize"], first)  # fmt: skip

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        lr, momentum, dampening, weight_decay, nesterov, maximize, first = s
        grad, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        if momentum != 0:
            b = state[0]
            if first:
                np.copyto(b, g)  # b <- g                                    (t = 1)
            else:
                b *= momentum  # b <- momentum b + (1 - dampening) g         (t > 1)
                add_(b, g, 1 - dampening, spare)
            if nesterov:
                g = add(g, momentum, b, out=grad, spare=spare)  # g <- g + momentum b
            else:
                g = b  # g <- b
        return g, -lr  # w <- w - lr g
