"""``Adadelta``: steps in the units of the weights, from running averages of g^2 and of past steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcmul_, gradient
from .optimizer import Optimizer, next_step

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    __doc__ = f"""Adadelta (Zeiler, 2012): RMSprop whose learning rate is the RMS of the past updates.

    For each parameter w with gradient g (S_0 = D_0 = 0)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        S <- rho * S + (1 - rho) * g * g
        delta <- sqrt(D + eps) / sqrt(S + eps) * g
        D <- rho * D + (1 - rho) * delta * delta
        w <- w - lr * delta

    The ratio sqrt(D)/sqrt(S) gives the step the units of w, so the paper needs no learning rate;
    PyTorch keeps ``lr`` as a plain factor (default 1.0, the paper's method).

    Args:
        params: tensors or parameter groups to optimise.
        lr: factor applied to delta (default 1.0).
        rho: decay of both running averages (default 0.9).
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 coefficient added to the gradient (default 0).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check(eps=eps, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"square_avg": 0.0, "acc_delta": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """The group's hyper-parameters (the step is counted, as PyTorch does, but not used)."""
        next_step(state)
        return learning_rate(group), group["rho"], group["eps"], group["weight_decay"], group["maximize"]

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        lr, rho, eps, weight_decay, maximize = s
        S, D = state
        grad, std, delta = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=delta)  # g <- (-)g + weight_decay w
        S *= rho  # S <- rho S + (1 - rho) g g
        addcmul_(S, g, g, 1 - rho, std)
        std = np.sqrt(np.add(S, eps, out=std), out=std)  # std <- sqrt(S + eps)
        delta = np.sqrt(np.add(D, eps, out=delta), out=delta)  # delta <- sqrt(D + eps) / std * g
        delta /= std
        delta *= g
        D *= rho  # D <- rho D + (1 - rho) delta delta
        addcmul_(D, delta, delta, 1 - rho, std)
        return delta, -lr  # w <- w - lr delta
