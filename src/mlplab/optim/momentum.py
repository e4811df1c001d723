"""``Momentum``: the notes' momentum, an exponential moving average of gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import add_, gradient
from .optimizer import Optimizer

__all__ = ["Momentum"]


class Momentum(Optimizer):
    __doc__ = f"""Momentum in the notes' textbook form: the velocity is an EMA of the gradients.

    For each parameter w with gradient g (velocity v_0 = 0)::

        g <- -g                        if maximize
        g <- g + weight_decay * w      if weight_decay != 0
        v <- alpha * v + (1 - alpha) * g
        w <- w - lr * v

    Relation to PyTorch's :class:`~mlplab.optim.SGD` (``b = mu*b + g``, first ``b = g``): unrolling,
    ``v_t = (1-alpha) * sum_k alpha^(t-k) g_k = (1-alpha) * b_t``, so::

        Momentum(lr, alpha)  ==  SGD(lr * (1 - alpha), momentum=alpha)       (step for step)
        SGD(lr, momentum=mu) ==  Momentum(lr / (1 - mu), alpha=mu)

    i.e. the same path with the learning rate scaled by 1/(1-alpha). ``SGD(lr, momentum=a,
    dampening=a)`` is the EMA form only after its first step: PyTorch starts the buffer at g
    instead of (1-a)*g, so its first step is 1/(1-a) times larger, and the paths then differ.

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate eta (default 1e-3).
        alpha: decay rate of the velocity, the weight of history (default 0.9, the notes' value).
        weight_decay: L2 coefficient added to the gradient (default 0).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-3, alpha: float = 0.9, weight_decay: float = 0, *,
                 maximize: bool = False, foreach: bool | None = None, fused: bool | None = None,
                 capturable: bool = False, differentiable: bool = False) -> None:  # fmt: skip
        check(lr=lr, alpha=alpha, weight_decay=weight_decay, fractions=("alpha",))
        super().__init__(params, group_defaults(locals()))

    scratch_count = 2

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"velocity": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """The group's hyper-parameters (the textbook form keeps no step count)."""
        return learning_rate(group), group["alpha"], group["weight_decay"], group["maximize"]

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        lr, alpha, weight_decay, maximize = s
        v = state[0]
        grad, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        v *= alpha  # v <- alpha v + (1 - alpha) g
        add_(v, g, 1 - alpha, spare)
        return v, -lr  # w <- w - lr v
