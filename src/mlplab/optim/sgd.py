"""``SGD``: stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import _FOREACH_DOC, Optimizer, _axpy, _check_lr, _check_wd, _lr_value

__all__ = ["SGD"]


class SGD(Optimizer):
    __doc__ = f"""Stochastic gradient descent, PyTorch's form (momentum=0: the notes' ``W <- W - lr*grad``).

    For each parameter w with gradient g, at step t::

        g <- -g                                 if maximize
        g <- g + weight_decay * w               if weight_decay != 0   (coupled L2 decay)
        if momentum != 0:
            b <- g                              at t = 1 (no dampening on the first step)
            b <- momentum * b + (1 - dampening) * g     afterwards
            g <- g + momentum * b               if nesterov
            g <- b                              otherwise
        w <- w - lr * g

    PyTorch's momentum sums gradients (``b = mu*b + g``); the notes' textbook form averages them
    (``v = a*v + (1-a)*g``, see :class:`mlplab.optim.Momentum`): the same path with lr scaled by (1-a).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-3, PyTorch 2.13's default).
        momentum: momentum factor mu (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: ascend the objective instead of descending.
{_FOREACH_DOC}
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        _check_wd(weight_decay)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the class docstring)."""
        loss = self._eval_closure(closure) if closure is not None else None
        state = self.state
        for gi, group in enumerate(self.param_groups):
            lr = _lr_value(group["lr"])
            momentum = group["momentum"]
            wd, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            args = (lr, momentum, group["dampening"], wd, nesterov, maximize)
            names = _NAMES if momentum != 0 else ()
            fl = self._reuse(gi, group["params"], names)
            first = False  # reused: the buffers exist (they are the flat state's views)
            if fl is not None:
                small, rest = fl.params, ()
            else:
                params = [p for p in group["params"] if p.grad is not None]
                small, rest = self._fusable(params)
                if small and momentum != 0:
                    # the first step copies the gradient into the buffer: all fused tensors must agree
                    firsts = {state[p].get("momentum_buffer") is None for p in small}
                    if len(firsts) > 1:
                        small, rest = [], params
                    else:
                        first = firsts.pop()
            if small:
                if fl is None:
                    fl = self._fused(gi, small, names)
                fl.gather_grads()
                buf = fl.bufs[0] if momentum != 0 else None
                if wd == 0:  # the weights are read only by the final update
                    d = _sgd(None, fl.g, buf, *fl.tmp, *args, first)
                    fl.axpy_to_weights(-lr, d)
                else:
                    fl.gather_weights()
                    _sgd(fl.w, fl.g, buf, *fl.tmp, *args, first)
                    fl.scatter_weights()
            for p in rest:
                buf = None
                first = False
                if momentum != 0:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        buf_t = st["momentum_buffer"] = Tensor._make(np.empty_like(p._data))
                        first = True
                    buf = buf_t._data
                self._apply(_sgd, [p._data, p.grad._data, buf], 4, *args, first)
        return loss


_NAMES = ("momentum_buffer",)


def _sgd(
    w: np.ndarray | None, g: np.ndarray, buf: np.ndarray | None,
    t0: np.ndarray, t1: np.ndarray, t2: np.ndarray, t3: np.ndarray,
    lr: float, momentum: float, dampening: float, wd: float, nesterov: bool, maximize: bool, first: bool,
) -> np.ndarray | None:  # fmt: skip
    """PyTorch's single-tensor SGD on arrays, same operations in the same order (``_axpy`` = add_(alpha)).

    ``w`` None (only with wd == 0): the direction d of ``w <- w - lr d`` is returned instead of applied.
    """
    if maximize:
        g = np.negative(g, out=t0)
    if wd != 0:
        np.copyto(t1, g)
        _axpy(wd, w, t1, t3)  # grad.add(param, alpha=wd), p.grad untouched
        g = t1
    if buf is not None:
        if first:
            np.copyto(buf, g)  # first step: the buffer is the gradient itself (no dampening)
        else:
            np.multiply(buf, momentum, out=buf)
            if dampening == 0:
                np.add(buf, g, out=buf)  # alpha=1: a plain sum
            else:
                _axpy(1 - dampening, g, buf, t3)
        if nesterov:
            np.copyto(t2, g)
            _axpy(momentum, buf, t2, t3)
            g = t2
        else:
            g = buf
    if w is None:
        return g
    _axpy(-lr, g, w, t3)
    return None
