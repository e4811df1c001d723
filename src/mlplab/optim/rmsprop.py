"""``RMSprop``: Adagrad with an exponential moving average of squared gradients instead of a sum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import (
    _FOREACH_DOC,
    Optimizer,
    _axpy,
    _check_eps,
    _check_lr,
    _check_wd,
    _lerp_,
    _lr_value,
    _new_step,
    _scalar_state,
)

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
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        *,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        _check_eps(eps)
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        _check_wd(weight_decay)
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)  # fused: accepted, not stored (PyTorch has none here)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure)
        state = self.state
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            wd = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            args = (lr, group["alpha"], group["eps"], wd, momentum, group["maximize"])
            names = (
                ("square_avg",)
                + (("momentum_buffer",) if momentum > 0 else ())
                + (("grad_avg",) if centered else ())
            )

            def init(p: Tensor, names: tuple[str, ...] = names) -> dict[str, Any]:
                st = state[p]
                if len(st) == 0:
                    st["step"] = _scalar_state(0.0)
                    for name in names:
                        st[name] = Tensor._make(np.zeros_like(p._data))
                return st

            fl, rest, _ = self._plan(gi, group["params"], names, init, ("step",))
            if fl is not None:
                fl.gather_grads()
                sa = fl.bufs[0]
                buf = fl.bufs[1] if momentum > 0 else None
                ga = fl.bufs[-1] if centered else None
                if wd == 0:  # the weights are read only by the final update
                    d = _rmsprop(None, fl.g, sa, ga, buf, *fl.tmp[:3], *args)
                    if buf is not None:
                        fl.axpy_to_weights(-lr, d)
                    else:
                        fl.add_to_weights(d)
                else:
                    fl.gather_weights()
                    _rmsprop(fl.w, fl.g, sa, ga, buf, *fl.tmp[:3], *args)
                    fl.scatter_weights()
            for p in rest:
                st = init(p)
                _new_step(st)
                ga = st["grad_avg"]._data if centered else None
                buf = st["momentum_buffer"]._data if momentum > 0 else None
                arrays = [p._data, p.grad._data, st["square_avg"]._data, ga, buf]
                self._apply(_rmsprop, arrays, 3, *args)
        return loss


def _rmsprop(
    w: np.ndarray | None, g: np.ndarray, sa: np.ndarray, ga: np.ndarray | None, buf: np.ndarray | None,
    t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    lr: float, alpha: float, eps: float, wd: float, momentum: float, maximize: bool,
) -> np.ndarray | None:  # fmt: skip
    """PyTorch's single-tensor RMSprop on arrays (``ga`` given: centered; ``buf`` given: momentum).

    ``w`` None (only with wd == 0): nothing is applied; returned is ``buf`` (with momentum, for
    ``w.add_(buf, alpha=-lr)``) or the update to add to ``w`` (without).
    """
    if maximize:
        g = np.negative(g, out=t1)
    if wd != 0:
        if g is not t1:
            np.copyto(t1, g)
            g = t1
        _axpy(wd, w, t1, t2)
    np.multiply(sa, alpha, out=sa)  # S <- alpha S + ((1 - alpha) g) g
    np.multiply(g, 1 - alpha, out=t0)
    np.multiply(t0, g, out=t0)
    np.add(sa, t0, out=sa)
    if ga is not None:
        _lerp_(ga, g, 1 - alpha, t0, t2)
        np.multiply(ga, ga, out=t0)  # sqrt(S - g_avg^2)
        np.subtract(sa, t0, out=t0)
        np.sqrt(t0, out=t0)
    else:
        np.sqrt(sa, out=t0)
    np.add(t0, eps, out=t0)
    if buf is not None:
        np.multiply(buf, momentum, out=buf)  # b <- momentum b + g / avg;  w <- w - lr b
        np.divide(g, t0, out=t0)
        np.add(buf, t0, out=buf)
        if w is None:
            return buf
        _axpy(-lr, buf, w, t2)
    else:
        np.multiply(g, -lr, out=t2)
        np.divide(t2, t0, out=t2)
        if w is None:
            return t2
        np.add(w, t2, out=w)
    return None
