"""``Adagrad``: a per-coordinate learning rate from the running sum of squared gradients."""

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
    _lr_value,
    _new_step,
    _scalar_state,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    __doc__ = f"""Adagrad: divide each coordinate's step by the root of its accumulated squared gradients.

    For each parameter w with gradient g, at step t = 1, 2, ... (G_0 = initial_accumulator_value)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        clr <- lr / (1 + (t - 1) * lr_decay)
        G <- G + g * g
        w <- w - clr * g / (sqrt(G) + eps)

    The notes' form ``G <- G + grad^2; W <- W - eta / (sqrt(G) + eps) * grad`` is lr_decay = 0.
    Coordinates with a large history of gradients get small steps, rarely-updated ones keep large
    steps; the sum only grows, so the effective learning rate only shrinks (RMSprop fixes that).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 coefficient added to the gradient (default 0).
        initial_accumulator_value: starting value of G (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: ascend the objective instead of descending.
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        _check_wd(weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check_eps(eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        super().__init__(params, defaults)
        # PyTorch creates Adagrad's state at construction, not on the first step.
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _scalar_state(0.0)
            st["sum"] = Tensor._make(np.full_like(p._data, group["initial_accumulator_value"]))
        return st

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure)
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            lr_decay = group["lr_decay"]
            wd = group["weight_decay"]
            args = (group["eps"], wd, group["maximize"])
            fl, rest, step = self._plan(
                gi, group["params"], _NAMES, lambda p, group=group: self._init_state(p, group), ("step",)
            )
            if fl is not None:
                fl.gather_grads()
                clr = lr / (1 + (step - 1) * lr_decay)
                if wd == 0:  # the weights are read only by the final add
                    fl.add_to_weights(_adagrad(None, fl.g, fl.bufs[0], *fl.tmp[:3], clr, *args))
                else:
                    fl.gather_weights()
                    _adagrad(fl.w, fl.g, fl.bufs[0], *fl.tmp[:3], clr, *args)
                    fl.scatter_weights()
            for p in rest:
                st = self._init_state(p, group)
                step = _new_step(st)
                clr = lr / (1 + (step - 1) * lr_decay)
                self._apply(_adagrad, [p._data, p.grad._data, st["sum"]._data], 3, clr, *args)
        return loss


_NAMES = ("sum",)


def _adagrad(
    w: np.ndarray | None, g: np.ndarray, s: np.ndarray, t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    clr: float, eps: float, wd: float, maximize: bool,
) -> np.ndarray | None:  # fmt: skip
    """G <- G + g g;  w <- w + (-clr g) / (sqrt(G) + eps), PyTorch's order.

    ``w`` None (only with wd == 0): the update is returned for the caller to add to the weights.
    """
    if maximize:
        g = np.negative(g, out=t1)
    if wd != 0:
        if g is not t1:
            np.copyto(t1, g)
            g = t1
        _axpy(wd, w, t1, t2)
    np.multiply(g, g, out=t0)  # addcmul_(g, g, value=1)
    np.add(s, t0, out=s)
    np.sqrt(s, out=t0)
    np.add(t0, eps, out=t0)
    np.multiply(g, -clr, out=t1)
    np.divide(t1, t0, out=t1)
    if w is None:
        return t1
    np.add(w, t1, out=w)
    return None
