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
        loss = self._eval_closure(closure) if closure is not None else None
        state = self.state
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            beta1, beta2 = group["betas"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            decay = 1 - lr * wd if decoupled and wd != 0 else None
            args = (beta1, beta2, group["eps"], 0.0 if decoupled else wd, decay, group["maximize"])
            names = _NAMES_AMS if amsgrad else _NAMES
            fl = self._reuse(gi, group["params"], names)
            if fl is not None:
                small, rest = fl.params, ()
            else:
                params = [p for p in group["params"] if p.grad is not None]
                small, rest = self._fusable(params)
            counters = []
            for p in small:
                st = state[p]
                if len(st) == 0:
                    _init(st, p._data, names)
                counters.append(st["step"]._data)
            step = float(counters[0]) + 1.0 if counters else 0.0
            if any(float(c) + 1.0 != step for c in counters):  # e.g. a parameter that sat out steps
                small, rest, fl = [], [p for p in group["params"] if p.grad is not None], None
            if small:
                for c in counters:  # as _new_step: the exact sum rounded once, like ``step += 1``
                    c.fill(step)
                step = float(counters[0])
                if fl is None:
                    fl = self._fused(gi, small, names)
                fl.gather_grads()
                vmax = fl.bufs[2] if amsgrad else None
                corr = _corrections(lr, beta1, beta2, step)
                if decay is None and args[3] == 0:  # the weights are read only by the final add
                    d = _adam(None, fl.g, fl.bufs[0], fl.bufs[1], vmax, *fl.tmp[:3], *args, *corr)
                    fl.add_to_weights(d)
                else:
                    fl.gather_weights()
                    _adam(fl.w, fl.g, fl.bufs[0], fl.bufs[1], vmax, *fl.tmp[:3], *args, *corr)
                    fl.scatter_weights()
            for p in rest:
                w = p._data
                st = state[p]
                if len(st) == 0:
                    _init(st, w, names)
                step = _new_step(st)
                vmax = st["max_exp_avg_sq"]._data if amsgrad else None
                arrays = [w, p.grad._data, st["exp_avg"]._data, st["exp_avg_sq"]._data, vmax]
                self._apply(_adam, arrays, 3, *args, *_corrections(lr, beta1, beta2, step))
        return loss


_NAMES = ("exp_avg", "exp_avg_sq")
_NAMES_AMS = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")


def _init(st: dict[str, Any], w: np.ndarray, names: tuple[str, ...]) -> None:
    st["step"] = _scalar_state(0.0)
    for name in names:
        st[name] = Tensor._make(np.zeros_like(w))


def _corrections(lr: float, beta1: float, beta2: float, step: float) -> tuple[float, float]:
    """(lr / (1 - beta1^t), sqrt(1 - beta2^t)): the bias corrections of step t, as PyTorch rounds them."""
    return lr / (1 - beta1**step), (1 - beta2**step) ** 0.5


def _adam(
    w: np.ndarray | None, g: np.ndarray, m: np.ndarray, v: np.ndarray, vmax: np.ndarray | None,
    t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    beta1: float, beta2: float, eps: float, wd: float, decay: float | None, maximize: bool,
    step_size: float, bc2_sqrt: float,
) -> np.ndarray | None:  # fmt: skip
    """PyTorch's single-tensor Adam on arrays (decay given: AdamW, w *= 1 - lr*wd first).

    ``w`` None (only without weight decay): the update is left in ``t1`` and returned, for the
    caller to add to the weights.
    """
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
    if w is None:
        return t1
    np.add(w, t1, out=w)
    return None


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
