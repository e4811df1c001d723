"""``Momentum``: the notes' momentum, an exponential moving average of gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import _FOREACH_DOC, Optimizer, _axpy, _check_lr, _check_wd, _lr_value

__all__ = ["Momentum"]


class Momentum(Optimizer):
    __doc__ = f"""Momentum in the notes' textbook form: the velocity is an EMA of the gradients.

    For each parameter w with gradient g (velocity v_0 = 0)::

        g <- -g                        if maximize
        g <- g + weight_decay * w      if weight_decay != 0
        v <- alpha * v + (1 - alpha) * g
        w <- w - lr * v

    Relation to PyTorch's :class:`~mlplab.optim.SGD` (``b = mu*b + g``, first ``b = g``): unrolling,
    ``v_t = (1-alpha) * sum_k alpha^(t-k) g_k = (1-alpha) * b_t``, so::

        Momentum(lr, alpha)  ==  SGD(lr * (1 - alpha), momentum=alpha)       (step for step)
        SGD(lr, momentum=mu) ==  Momentum(lr / (1 - mu), alpha=mu)

    i.e. the same path with the learning rate scaled by 1/(1-alpha). ``SGD(lr, momentum=a,
    dampening=a)`` is the EMA form only after its first step: PyTorch starts the buffer at g
    instead of (1-a)*g, so its first step is 1/(1-a) times larger, and the paths then differ.

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate eta (default 1e-3).
        alpha: decay rate of the velocity, the weight of history (default 0.9, the notes' value).
        weight_decay: L2 coefficient added to the gradient (default 0).
        maximize: ascend the objective instead of descending.
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        alpha: float = 0.9,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_wd(weight_decay)
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "fused": fused,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure)
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            wd = group["weight_decay"]
            args = (lr, group["alpha"], wd, group["maximize"])
            fl, rest, _ = self._plan(gi, group["params"], _NAMES, self._init_state)
            if fl is not None:
                fl.gather_grads()
                if wd == 0:  # the weights are read only by the final update
                    fl.axpy_to_weights(-lr, _momentum(None, fl.g, fl.bufs[0], *fl.tmp[:3], *args))
                else:
                    fl.gather_weights()
                    _momentum(fl.w, fl.g, fl.bufs[0], *fl.tmp[:3], *args)
                    fl.scatter_weights()
            for p in rest:
                st = self._init_state(p)
                self._apply(_momentum, [p._data, p.grad._data, st["velocity"]._data], 3, *args)
        return loss

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        st = self.state[p]
        if "velocity" not in st:
            st["velocity"] = Tensor._make(np.zeros_like(p._data))
        return st


_NAMES = ("velocity",)


def _momentum(
    w: np.ndarray | None, g: np.ndarray, v: np.ndarray, t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    lr: float, alpha: float, wd: float, maximize: bool,
) -> np.ndarray | None:  # fmt: skip
    """v <- alpha v + (1 - alpha) g;  w <- w - lr v.

    ``w`` None (only with wd == 0): v is returned for the caller's ``w.add_(v, alpha=-lr)``.
    """
    if maximize:
        g = np.negative(g, out=t0)
    if wd != 0:
        np.copyto(t1, g)
        _axpy(wd, w, t1, t2)
        g = t1
    np.multiply(v, alpha, out=v)
    _axpy(1 - alpha, g, v, t2)
    if w is None:
        return v
    _axpy(-lr, v, w, t2)
    return None
