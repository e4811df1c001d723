"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), PyTorch's momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import (
    _FOREACH_DOC,
    Optimizer,
    _check_betas,
    _check_eps,
    _check_lr,
    _check_wd,
    _lerp_,
    _lr_value,
    _new_step,
    _scalar_state,
)

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
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_wd(weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)  # fused: accepted, not stored (PyTorch has none here)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _lr_value(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            psi = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w = p._data
                g = p.grad._data
                t0 = self._tmp(p, 0)
                t1 = self._tmp(p, 1)
                t2 = self._tmp(p, 2)
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_state(0.0)
                    st["mu_product"] = _scalar_state(1.0)
                    st["exp_avg"] = Tensor._make(np.zeros_like(w))
                    st["exp_avg_sq"] = Tensor._make(np.zeros_like(w))
                if maximize:
                    g = np.negative(g, out=t2)
                step = _new_step(st)
                bias_correction2 = 1 - beta2**step
                if wd != 0:
                    if decoupled:
                        np.multiply(w, 1 - lr * wd, out=w)
                    else:
                        np.multiply(w, wd, out=t0)
                        g = np.add(g, t0, out=t2)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
                mp = st["mu_product"]._data
                mp *= mu  # rounds in the scalar dtype, as PyTorch's 0-d state tensor
                mu_product = float(mp)
                m = st["exp_avg"]._data
                v = st["exp_avg_sq"]._data
                _lerp_(m, g, 1 - beta1, t0)
                np.multiply(g, 1 - beta2, out=t0)
                np.multiply(t0, g, out=t0)
                np.multiply(v, beta2, out=v)
                np.add(v, t0, out=v)
                np.divide(v, bias_correction2, out=t0)
                np.sqrt(t0, out=t0)
                np.add(t0, eps, out=t0)
                mu_product_next = mu_product * mu_next
                np.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=t1)
                np.divide(t1, t0, out=t1)
                np.add(w, t1, out=w)
                np.multiply(m, (-lr * mu_next) / (1.0 - mu_product_next), out=t1)
                np.divide(t1, t0, out=t1)
                np.add(w, t1, out=w)
        return loss
