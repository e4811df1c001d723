"""``Adam`` (coupled L2 weight decay) and ``AdamW`` (decoupled weight decay)."""

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
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_wd(weight_decay)
        betas = tuple(float(b._data) if isinstance(b, Tensor) else b for b in betas)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = _lr_value(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w = p._data
                st = state[p]
                if len(st) == 0:
                    st["step"] = _scalar_state(0.0)
                    st["exp_avg"] = Tensor._make(np.zeros_like(w))
                    st["exp_avg_sq"] = Tensor._make(np.zeros_like(w))
                    if amsgrad:
                        st["max_exp_avg_sq"] = Tensor._make(np.zeros_like(w))
                step = _new_step(st)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bc2_sqrt = bias_correction2**0.5
                vmax = st["max_exp_avg_sq"]._data if amsgrad else None
                arrays = [w, p.grad._data, st["exp_avg"]._data, st["exp_avg_sq"]._data, vmax]
                decay = 1 - lr * wd if decoupled and wd != 0 else None
                self._apply(_adam, arrays, 3, beta1, beta2, eps, 0.0 if decoupled else wd, decay, maximize,
                            step_size, bc2_sqrt)  # fmt: skip
        return loss


def _adam(
    w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, vmax: np.ndarray | None,
    t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    beta1: float, beta2: float, eps: float, wd: float, decay: float | None, maximize: bool,
    step_size: float, bc2_sqrt: float,
) -> None:  # fmt: skip
    """PyTorch's single-tensor Adam on arrays (decay given: AdamW, w *= 1 - lr*wd first)."""
    if maximize:
        g = np.negative(g, out=t1)
    if decay is not None:
        np.multiply(w, decay, out=w)
    elif wd != 0:
        if g is not t1:
            np.copyto(t1, g)
            g = t1
        _axpy(wd, w, t1, t0)  # grad.add(param, alpha=wd)
    _lerp_(m, g, 1 - beta1, t0, t2)  # m <- m + (1 - beta1) (g - m)
    np.multiply(g, 1 - beta2, out=t0)  # v <- beta2 v + ((1 - beta2) g) g
    np.multiply(t0, g, out=t0)
    np.multiply(v, beta2, out=v)
    np.add(v, t0, out=v)
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    np.sqrt(v, out=t0)  # denom = sqrt(v) / sqrt(1 - beta2^t) + eps
    np.divide(t0, bc2_sqrt, out=t0)
    np.add(t0, eps, out=t0)
    np.multiply(m, -step_size, out=t1)  # w <- w + (-step_size m) / denom   (addcdiv_: no FMA)
    np.divide(t1, t0, out=t1)
    np.add(w, t1, out=w)


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
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
