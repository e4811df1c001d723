"""``Adamax``: Adam with the infinity norm of past gradients in place of their root mean square."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcdiv, gradient, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["Adamax"]


class Adamax(Optimizer):
    __doc__ = f"""Adamax (Kingma & Ba, section 7.1): Adam's second moment replaced by a decaying maximum.

    For each parameter w with gradient g, at step t = 1, 2, ... (m_0 = u_0 = 0)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)             (the exponentially weighted infinity norm)
        w <- w - lr / (1 - beta1^t) * m / u

    The max needs no bias correction (a zero start cannot bias a maximum down once |g| > 0); PyTorch
    adds eps inside the max rather than to the denominator.

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 2e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to |g| (default 1e-8).
        weight_decay: L2 coefficient added to the gradient (default 0).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False,
                 fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"exp_avg": 0.0, "exp_inf": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's scalars: the group's hyper-parameters and ``clr = lr / (1 - beta1^t)``."""
        t = next_step(state)
        beta1, beta2 = group["betas"]
        clr = learning_rate(group) / (1 - beta1**t)
        return beta1, beta2, group["eps"], group["weight_decay"], group["maximize"], clr

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        beta1, beta2, eps, weight_decay, maximize, clr = s
        m, u = state
        grad, norm, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        lerp_(m, g, 1 - beta1, norm, spare)  # m <- beta1 m + (1 - beta1) g
        u *= beta2  # u <- max(beta2 u, |g| + eps)
        norm = np.abs(g, out=norm)
        norm += eps
        np.maximum(u, norm, out=u)
        return addcdiv(m, u, -clr, out=grad), 1.0  # w <- w - lr / (1 - beta1^t) m / u
