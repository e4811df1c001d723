"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), PyTorch's momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import (
    _FOREACH_DOC,
    Optimizer,
    _axpy,
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
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            beta1, beta2 = group["betas"]
            wd = group["weight_decay"]
            psi = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            decay = 1 - lr * wd if decoupled and wd != 0 else None
            args = (beta1, beta2, group["eps"], 0.0 if decoupled else wd, decay, group["maximize"])
            fl, rest, step = self._plan(gi, group["params"], _NAMES, self._init_state, _COUNTED)
            if fl is not None:
                mps = [self.state[p]["mu_product"]._data for p in fl.params]
                coefs = _coefficients(lr, beta1, beta2, psi, step, mps[0])
                for mp in mps[1:]:
                    mp.fill(float(mps[0]))  # the one rounded product, as each tensor's ``mu_product *= mu``
                fl.gather_grads()
                fl.gather_weights()  # two adds to w, each rounded: no single update to hand back
                _nadam(fl.w, fl.g, fl.bufs[0], fl.bufs[1], *fl.tmp, *args, *coefs)
                fl.scatter_weights()
            for p in rest:
                st = self._init_state(p)
                step = _new_step(st)
                coefs = _coefficients(lr, beta1, beta2, psi, step, st["mu_product"]._data)
                arrays = [p._data, p.grad._data, st["exp_avg"]._data, st["exp_avg_sq"]._data]
                self._apply(_nadam, arrays, 4, *args, *coefs)
        return loss

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _scalar_state(0.0)
            st["mu_product"] = _scalar_state(1.0)
            st["exp_avg"] = Tensor._make(np.zeros_like(p._data))
            st["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
        return st


_NAMES = ("exp_avg", "exp_avg_sq")
_COUNTED = ("step", "mu_product")


def _coefficients(
    lr: float, beta1: float, beta2: float, psi: float, step: float, mp: np.ndarray
) -> tuple[float, float, float]:
    """(1 - beta2^t, c_grad, c_avg) of step t; multiplies the 0-d ``mu_product`` ``mp`` by mu_t in place."""
    bias_correction2 = 1 - beta2**step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
    mp *= mu  # rounds in the scalar dtype, as PyTorch's 0-d state tensor
    mu_product = float(mp)
    mu_product_next = mu_product * mu_next
    c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
    c_avg = (-lr * mu_next) / (1.0 - mu_product_next)
    return bias_correction2, c_grad, c_avg


def _nadam(
    w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray,
    t0: np.ndarray, t1: np.ndarray, t2: np.ndarray, t3: np.ndarray,
    beta1: float, beta2: float, eps: float, wd: float, decay: float | None, maximize: bool,
    bias_correction2: float, c_grad: float, c_avg: float,
) -> None:  # fmt: skip
    """PyTorch's single-tensor NAdam on arrays: two addcdiv_ steps, along g and along m."""
    if maximize:
        g = np.negative(g, out=t2)
    if decay is not None:
        np.multiply(w, decay, out=w)
    elif wd != 0:
        if g is not t2:
            np.copyto(t2, g)
            g = t2
        _axpy(wd, w, t2, t3)
    _lerp_(m, g, 1 - beta1, t0, t3)
    np.multiply(g, 1 - beta2, out=t0)
    np.multiply(t0, g, out=t0)
    np.multiply(v, beta2, out=v)
    np.add(v, t0, out=v)
    np.divide(v, bias_correction2, out=t0)  # denom = sqrt(v / (1 - beta2^t)) + eps
    np.sqrt(t0, out=t0)
    np.add(t0, eps, out=t0)
    np.multiply(g, c_grad, out=t1)
    np.divide(t1, t0, out=t1)
    np.add(w, t1, out=w)
    np.multiply(m, c_avg, out=t1)
    np.divide(t1, t0, out=t1)
    np.add(w, t1, out=w)
