"""``RAdam``: Adam with its adaptive step switched on only once the variance of v is tractable."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcmul_, gradient, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["RAdam"]


class RAdam(Optimizer):
    __doc__ = f"""RAdam (Liu et al., 2019): Adam with a rectified adaptive learning rate.

    For each parameter w with gradient g, at step t = 1, 2, ... (m_0 = v_0 = 0)::

        g <- -g                                    if maximize
        w <- w * (1 - lr * weight_decay)           if decoupled_weight_decay
        g <- g + weight_decay * w                  otherwise, if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)      (length of the approximated SMA)
        if rho_t > 5:
            r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            w <- w - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r_t
        else:                                      (the first steps: SGD with momentum)
            w <- w - lr * m / (1 - beta1^t)

    Early on v rests on few gradients and its variance is unbounded, which is why Adam needs a
    warm-up; r_t scales the adaptive step by how far that variance has come down.

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        decoupled_weight_decay: AdamW-style decay of the weights (default False).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's scalars: the group's hyper-parameters, the decoupled decay factor (or None),
        ``1 - beta1^t``, ``sqrt(1 - beta2^t)`` and r_t (None while rho_t <= 5)."""
        t = next_step(state)
        lr = learning_rate(group)
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        decoupled = group["decoupled_weight_decay"]
        decay = 1 - lr * weight_decay if decoupled and weight_decay != 0 else None
        coupled_weight_decay = 0.0 if decoupled else weight_decay
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        rect = None
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        return (lr, beta1, beta2, group["eps"], coupled_weight_decay, decay, group["maximize"], 1 - beta1**t,
                bias_correction2**0.5, rect)  # fmt: skip

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        (
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            decay,
            maximize,
            bias_correction1,
            bias_correction2_sqrt,
            rect,
        ) = s
        m, v = state
        grad, denom, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        if decay is not None:
            w *= decay  # w <- w (1 - lr weight_decay)                   (decoupled)
        lerp_(m, g, 1 - beta1, denom, spare)  # m <- beta1 m + (1 - beta1) g
        v *= beta2  # v <- beta2 v + (1 - beta2) g g
        addcmul_(v, g, g, 1 - beta2, denom)
        step = np.divide(m, bias_correction1, out=grad)  # step <- lr m / (1 - beta1^t)
        step *= lr
        if rect is not None:  # step <- step sqrt(1 - beta2^t) / (sqrt(v) + eps) r_t
            denom = np.sqrt(v, out=denom)
            denom += eps
            adaptive = np.reciprocal(denom, out=denom)  # PyTorch's ``c / x`` is ``x.reciprocal() * c``
            adaptive *= bias_correction2_sqrt
            step *= adaptive
            step *= rect
        return step, -1.0  # w <- w - step
