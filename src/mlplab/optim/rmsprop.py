"""``RMSprop``: Adagrad with an exponential moving average of squared gradients instead of a sum."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcdiv, addcmul_, gradient, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    __doc__ = f"""RMSprop: scale each coordinate's step by the root of an EMA of its squared gradients.

    For each parameter w with gradient g (S_0 = 0, g_avg_0 = 0, b_0 = 0)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        S <- alpha * S + (1 - alpha) * g * g
        g_avg <- alpha * g_avg + (1 - alpha) * g   if centered
        avg <- sqrt(S - g_avg^2) + eps             if centered (an estimate of the std of g)
        avg <- sqrt(S) + eps                       otherwise
        b <- momentum * b + g / avg;  w <- w - lr * b       if momentum > 0
        w <- w - lr * g / avg                               otherwise

    The notes' form ``G <- alpha*G + (1-alpha)*grad^2; W <- W - eta/(sqrt(G)+eps) * grad`` is the
    default (momentum = 0, centered = False). Forgetting old gradients fixes Adagrad's ever-shrinking
    learning rate. Note PyTorch's alpha is the weight of the history (default 0.99).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 coefficient added to the gradient (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by the estimated variance of the gradient instead of its raw second moment.
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, *, fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        state = {"square_avg": 0.0}
        if group["momentum"] > 0:
            state["momentum_buffer"] = 0.0
        if group["centered"]:
            state["grad_avg"] = 0.0
        return state

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """The group's hyper-parameters (the step is counted, as PyTorch does, but not used)."""
        next_step(state)
        return (learning_rate(group), group["alpha"], group["eps"], group["weight_decay"], group["momentum"],
                group["centered"], group["maximize"])  # fmt: skip

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        lr, alpha, eps, weight_decay, momentum, centered, maximize = s
        S = state[0]
        grad, avg, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        S *= alpha  # S <- alpha S + (1 - alpha) g g
        addcmul_(S, g, g, 1 - alpha, avg)
        if centered:
            g_avg = state[-1]
            lerp_(g_avg, g, 1 - alpha, avg, spare)  # g_avg <- alpha g_avg + (1 - alpha) g
            avg = np.subtract(
                S, np.multiply(g_avg, g_avg, out=avg), out=avg
            )  # avg <- sqrt(S - g_avg^2) + eps
            avg = np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(S, out=avg)  # avg <- sqrt(S) + eps
        avg += eps
        if momentum > 0:
            b = state[1]
            b *= momentum  # b <- momentum b + g / avg
            b += np.divide(g, avg, out=avg)
            return b, -lr  # w <- w - lr b
        return addcdiv(g, avg, -lr, out=grad), 1.0  # w <- w - lr g / avg
