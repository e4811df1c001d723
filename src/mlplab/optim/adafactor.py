"""``Adafactor``: Adam-like steps with the second moment of a matrix kept as row and column averages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .hyperparameters import group_defaults, learning_rate
from .inplace import add_, lerp_
from .optimizer import Optimizer, next_step

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), PyTorch's form: no first moment, a factored second moment.

    For each parameter W (n x m, or a vector) with gradient G, at step t = 1, 2, ...::

        G <- -G                                       if maximize
        beta2_t = 1 - t^beta2_decay                   (so the average's weight 1 - beta2_t = t^beta2_decay)
        rho_t = min(lr, 1 / sqrt(t))
        alpha = max(eps2, RMS(W)) * rho_t             (relative step size: steps scale with the weights)
        W <- W * (1 - lr * weight_decay)
        for a matrix (over its last two dimensions):
            R <- beta2_t R + (1 - beta2_t) mean_j(G_ij^2)      (row averages, n x 1)
            C <- beta2_t C + (1 - beta2_t) mean_i(G_ij^2)      (column averages, 1 x m)
            V = R C / max(mean_i(R_i), eps1)                   (rank-one estimate of the second moment)
        for a vector: V <- beta2_t V + (1 - beta2_t) G^2
        U = G / sqrt(max(V, eps1^2))
        W <- W - alpha / max(1, RMS(U) / d) * U               (update clipping at threshold d)

    An n x m matrix keeps n + m numbers of state instead of Adam's 2 n m. RMS(x) = ||x||_2 / sqrt(size).
    The norms make this update not elementwise, so Adafactor has its own ``step`` (as L-BFGS).

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate, an upper bound on rho_t (default 1e-2).
        beta2_decay: the exponent of the second moment's weight, <= 0 (default -0.8).
        eps: (eps1, eps2): eps1 bounds the second moment below (None: the dtype's machine epsilon),
            eps2 the weights' RMS in alpha (default (None, 1e-3)).
        d: clipping threshold on RMS(U) (default 1.0).
        weight_decay: decoupled weight decay coefficient (default 0.0).
        foreach: accepted and ignored (one update path).
        maximize: ascend the objective instead of descending.
    """

    def __init__(self, params: Any, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:  # fmt: skip
        _check(lr, beta2_decay, eps, d, weight_decay)
        super().__init__(params, group_defaults(locals()))

    scalar_state = {"step": 0.0}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter with a gradient; returns ``closure()``'s loss if given."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p._data, p.grad._data, self._state_of(p), group)
        return loss

    def _state_of(self, p: Any) -> dict[str, Any]:
        """``step``, and ``row_var`` and ``col_var`` (a matrix) or ``variance`` (a vector), at 0."""
        state = self.new_scalar_state(self.state[p])
        w = p._data
        if "row_var" not in state and "variance" not in state:
            if w.ndim > 1:
                state["row_var"] = _zeros(w.shape[:-1] + (1,), w.dtype)
                state["col_var"] = _zeros(w.shape[:-2] + (1, w.shape[-1]), w.dtype)
            else:
                state["variance"] = _zeros(w.shape, w.dtype)
        return state

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (eps1, eps2), d = learning_rate(group), group["eps"], group["d"]
        if eps1 is None:
            eps1 = float(np.finfo(w.dtype).eps)
        if group["maximize"]:
            g = -g  # G <- -G
        t = next_step(state)
        weight = t ** group["beta2_decay"]  # 1 - beta2_t
        rho = min(lr, 1 / t**0.5)
        alpha = max(eps2, float(np.linalg.norm(w.reshape(-1))) / w.size**0.5) * rho
        if group["weight_decay"] != 0:
            w *= 1 - lr * group["weight_decay"]  # W <- W (1 - lr weight_decay)
        if w.ndim > 1:
            R, C = state["row_var"]._data, state["col_var"]._data
            row_mean = (
                np.square(np.sqrt(np.sum(g * g, axis=-1, keepdims=True))) / g.shape[-1]
            )  # mean_j G_ij^2
            _lerp(R, row_mean, weight)
            col_mean = (
                np.square(np.sqrt(np.sum(g * g, axis=-2, keepdims=True))) / g.shape[-2]
            )  # mean_i G_ij^2
            _lerp(C, col_mean, weight)
            V = R @ C  # V = R C / max(mean_i R_i, eps1)
            V /= np.maximum(np.mean(R, axis=-2, keepdims=True), eps1)
        else:
            v = state["variance"]._data
            _lerp(v, g * g, weight)  # V <- beta2_t V + (1 - beta2_t) G^2
            V = v.copy()
        U = np.maximum(V, eps1 * eps1, out=V)  # U = G / sqrt(max(V, eps1^2))
        U = np.divide(1, np.sqrt(U, out=U), out=U)
        U *= g
        denom = max(1.0, float(np.linalg.norm(U.reshape(-1))) / (U.size**0.5 * d))
        flat = w.reshape(-1) if w.flags.c_contiguous else w  # a view: the fused add of PyTorch's add_
        add_(
            flat, U.reshape(flat.shape), -alpha / denom, np.empty_like(flat)
        )  # W <- W - alpha/max(1, RMS(U)/d) U


def _check(
    lr: Any, beta2_decay: float, eps: tuple[float | None, float], d: float, weight_decay: float
) -> None:
    """Raise ValueError with PyTorch's message (Adafactor words its messages its own way)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    for ok, message in (
        (0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}"),
        (0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
        (eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}"),
        (0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}"),
        (1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}"),
        (0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}"),
    ):
        if not ok:
            raise ValueError(message)


def _zeros(shape: tuple[int, ...], dtype: Any) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=dtype))


def _lerp(a: np.ndarray, b: np.ndarray, weight: float) -> None:
    """``a <- lerp(a, b, weight)`` rounded as PyTorch's (on flat views, where the fused add applies)."""
    if a.flags.c_contiguous:
        a, b = a.reshape(-1), np.ascontiguousarray(b).reshape(-1)
    lerp_(a, b, weight, np.empty_like(a), np.empty_like(a))
