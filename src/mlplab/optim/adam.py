"""``Adam`` (coupled L2 weight decay) and ``AdamW`` (decoupled weight decay)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import addcdiv, addcmul_, gradient, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    __doc__ = f"""Adam: momentum (first moment) plus RMSprop (second moment) with bias correction.

    For each parameter w with gradient g, at step t = 1, 2, ... (m_0 = v_0 = 0)::

        g <- -g                                    if maximize
        w <- w * (1 - lr * weight_decay)           if decoupled_weight_decay (AdamW)
        g <- g + weight_decay * w                  otherwise, if weight_decay != 0 (coupled L2)
        m <- beta1 * m + (1 - beta1) * g           (PyTorch: m.lerp_(g, 1 - beta1))
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)                     if amsgrad (then v_max replaces v below)
        denom <- sqrt(v) / sqrt(1 - beta2^t) + eps
        w <- w - lr / (1 - beta1^t) * m / denom

    which is the notes' ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m/(1-beta1^t)``,
    ``v_hat = v/(1-beta2^t)``, written as PyTorch orders it (eps added after the correction).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-3).
        betas: (beta1, beta2), decay rates of the two moments (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 coefficient (default 0); coupled into the gradient, so Adam rescales it
            per coordinate -- use :class:`AdamW` for true decay.
        amsgrad: use the running maximum of v (default False).
        maximize: ascend the objective instead of descending.
        decoupled_weight_decay: decay the weights directly (AdamW's rule).
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:  # fmt: skip
        check(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        betas = tuple(b.item() if isinstance(b, Tensor) else b for b in betas)
        super().__init__(params, group_defaults(locals()))

    scalar_state = {"step": 0.0}
    scratch_count = 3

    def inplace_writes(self, group: dict[str, Any]) -> int:
        """PyTorch's AdamW rule scales w in place before its step: two changes then."""
        return 2 if group["decoupled_weight_decay"] and group["weight_decay"] != 0 else 1

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        if group["amsgrad"]:
            return {"exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's scalars: the group's hyper-parameters, AdamW's decay factor (None for Adam), and
        ``step_size = lr / (1 - beta1^t)``, ``bias_correction2_sqrt = sqrt(1 - beta2^t)``."""
        t = next_step(state)
        lr = learning_rate(group)
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        decoupled = group["decoupled_weight_decay"]
        decay = 1 - lr * weight_decay if decoupled and weight_decay != 0 else None
        coupled_weight_decay = 0.0 if decoupled else weight_decay
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        return (beta1, beta2, group["eps"], coupled_weight_decay, decay, group["amsgrad"], group["maximize"],
                step_size, bias_correction2_sqrt)  # fmt: skip

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        beta1, beta2, eps, weight_decay, decay, amsgrad, maximize, step_size, bias_correction2_sqrt = s
        m, v = state[0], state[1]
        grad, denom, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        if decay is not None:
            w *= decay  # w <- w (1 - lr weight_decay)                   (AdamW)
        lerp_(m, g, 1 - beta1, denom, spare)  # m <- beta1 m + (1 - beta1) g
        v *= beta2  # v <- beta2 v + (1 - beta2) g g
        addcmul_(v, g, g, 1 - beta2, denom)
        if amsgrad:
            v = np.maximum(state[2], v, out=state[2])  # v_max <- max(v_max, v), used as v
        denom = np.sqrt(v, out=denom)  # denom <- sqrt(v) / sqrt(1 - beta2^t) + eps
        denom /= bias_correction2_sqrt
        denom += eps
        return addcdiv(m, denom, -step_size, out=grad), 1.0  # w <- w - lr / (1 - beta1^t) m / denom


class AdamW(Adam):
    __doc__ = f"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

    The decay shrinks the weights directly, ``w <- w * (1 - lr * weight_decay)``, before the Adam
    update, instead of adding ``weight_decay * w`` to the gradient. Added to the gradient (Adam's
    ``weight_decay``, or an L2 penalty in the loss) the decay term is divided by sqrt(v) like the rest
    of the gradient, so coordinates with large gradients are barely decayed; decoupled, every weight
    shrinks by the same factor whatever its gradient's scale. Otherwise as :class:`Adam`.

    Args:
        params, lr, betas, eps, amsgrad, maximize: as :class:`Adam`.
        weight_decay: decoupled decay coefficient (default 1e-2).
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:  # fmt: skip
        super().__init__(**group_defaults(locals()), params=params, decoupled_weight_decay=True)
