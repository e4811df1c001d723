"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), PyTorch's momentum-decay schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcdiv, addcmul_, gradient, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["NAdam"]


class NAdam(Optimizer):
    __doc__ = f"""NAdam: Adam whose first-moment step looks ahead, as Nesterov momentum does.

    For each parameter w with gradient g, at step t = 1, 2, ... (m_0 = v_0 = 0, P_0 = 1)::

        g <- -g                                          if maximize
        w <- w * (1 - lr * weight_decay)                 if decoupled_weight_decay
        g <- g + weight_decay * w                        otherwise, if weight_decay != 0
        mu_t     = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
        mu_{{t+1}} = beta1 * (1 - 0.5 * 0.96^((t+1) * momentum_decay))
        P_t = P_{{t-1}} * mu_t                             (kept in the default float dtype, as PyTorch)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2^t)) + eps
        w <- w - lr * (1 - mu_t) / (1 - P_t) * g / denom
        w <- w - lr * mu_{{t+1}} / (1 - P_t * mu_{{t+1}}) * m / denom

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 2e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        momentum_decay: the psi of the mu schedule (default 4e-3).
        decoupled_weight_decay: AdamW-style decay (default False).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay, momentum_decay=momentum_decay)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0, "mu_product": 1.0}
    scratch_count = 3

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def inplace_writes(self, group: dict[str, Any]) -> int:
        """PyTorch's step adds to w twice, after scaling it in place for decoupled decay."""
        return 3 if group["decoupled_weight_decay"] and group["weight_decay"] != 0 else 2

    def reads_weights(self, group: dict[str, Any]) -> bool:
        return True  # two adds to w, each rounded: the first is done in the update

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's scalars: advances ``step`` and ``mu_product`` (P_t); returns the group's
        hyper-parameters, the decoupled decay factor (or None), ``1 - beta2^t`` and the two step
        coefficients ``-lr (1 - mu_t) / (1 - P_t)`` (along g) and ``-lr mu_{t+1} / (1 - P_t mu_{t+1})``
        (along m)."""
        t = next_step(state)
        lr = learning_rate(group)
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        weight_decay = group["weight_decay"]
        decoupled = group["decoupled_weight_decay"]
        decay = 1 - lr * weight_decay if decoupled and weight_decay != 0 else None
        coupled_weight_decay = 0.0 if decoupled else weight_decay
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        mu_product = state["mu_product"]._data
        mu_product *= mu  # P_t = P_{t-1} mu_t, rounded in the scalar dtype as PyTorch's 0-d state tensor
        product = float(mu_product)
        grad_coefficient = -lr * (1.0 - mu) / (1.0 - product)
        avg_coefficient = (-lr * mu_next) / (1.0 - product * mu_next)
        return (beta1, beta2, group["eps"], coupled_weight_decay, decay, group["maximize"], 1 - beta2**t,
                grad_coefficient, avg_coefficient)  # fmt: skip

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        beta1, beta2, eps, weight_decay, decay, maximize = s[:6]
        bias_correction2, grad_coefficient, avg_coefficient = s[6:]
        m, v = state[0], state[1]
        grad, denom, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        if decay is not None:
            w *= decay  # w <- w (1 - lr weight_decay)                   (decoupled)
        lerp_(m, g, 1 - beta1, denom, spare)  # m <- beta1 m + (1 - beta1) g
        v *= beta2  # v <- beta2 v + (1 - beta2) g g
        addcmul_(v, g, g, 1 - beta2, denom)
        denom = np.divide(v, bias_correction2, out=denom)  # denom <- sqrt(v / (1 - beta2^t)) + eps
        denom = np.sqrt(denom, out=denom)
        denom += eps
        w += addcdiv(g, denom, grad_coefficient, out=grad)  # w <- w - lr (1 - mu_t)/(1 - P_t) g / denom
        # w <- w - lr mu_{t+1} / (1 - P_t mu_{t+1}) m / denom
        return addcdiv(m, denom, avg_coefficient, out=grad), 1.0
