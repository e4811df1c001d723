"""Exponential moving averages: of a sequence (the notes' EMA) and of a model's weights.

The notes' recursion, with beta the weight of the history::

    S_0 = x_0,        S_t = beta * S_{t-1} + (1 - beta) * x_t

x = [1, 2, 3, 4, 5] gives [1, 1.9, 2.89, 3.889, 4.8889] for beta = 0.1 and
[1, 1.1, 1.29, 1.561, 1.9049] for beta = 0.9. Started from zero instead (V_0 = 0, as Adam's moments
are), the first values are biased towards 0; dividing by (1 - beta^t) removes the bias:
V_hat_t = V_t / (1 - beta^t) (t counting from 1).

For weights, the averaging functions here are those ``optim.swa_utils.AveragedModel`` takes (running
mean for SWA, or EMA with :func:`get_ema_multi_avg_fn`), and :class:`EMAModel` keeps a shadow copy
updated after each optimiser step, with optional bias correction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.tensor_base import bump_versions
from ..tensor import Tensor
from .inplace import lerp_

__all__ = [
    "ema",
    "EMAModel",
    "get_ema_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
]


def ema(series: Any, beta: float, bias_correction: bool = False, zero_init: bool | None = None) -> np.ndarray:
    """Exponential moving average of ``series`` along its first axis (float64 NumPy array).

    ``S_t = beta * S_{t-1} + (1 - beta) * x_t`` with ``S_0 = x_0`` (the notes' convention), or with
    ``zero_init`` a zero start ``V_0 = 0`` and every x_t (t = 1..n) averaged in; ``bias_correction``
    (which implies a zero start unless told otherwise) returns ``V_t / (1 - beta^t)``.

    >>> ema([1, 2, 3, 4, 5], 0.1).round(4).tolist()
    [1.0, 1.9, 2.89, 3.889, 4.8889]
    """
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"Invalid beta value: {beta} (expected 0 <= beta <= 1)")
    if zero_init is None:
        zero_init = bias_correction
    if bias_correction and not zero_init:
        raise ValueError("bias_correction applies to the zero-initialised average (zero_init=True)")
    x = series._data if isinstance(series, Tensor) else series
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    if x.shape[0] == 0:
        return out
    s = np.zeros_like(x[0]) if zero_init else x[0].copy()
    start = 0 if zero_init else 1
    if not zero_init:
        out[0] = s
    for t in range(start, x.shape[0]):
        s = beta * s + (1.0 - beta) * x[t]
        out[t] = s / (1.0 - beta ** (t + 1)) if bias_correction else s
    return out


# ---------------------------------------------------------------------------- averaging functions
def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """In-place EMA over lists: ``W_ema <- decay * W_ema + (1 - decay) * W`` (as a lerp, like PyTorch)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_params: list[Tensor], current: list[Tensor], _: Any) -> None:
        for pe, pc in zip(ema_params, current):
            _lerp_arr(pe._data, pc._data, 1 - decay)

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """In-place running mean over lists: ``W_avg <- lerp(W_avg, W, 1 / (n + 1))``.

    PyTorch computes the weight from its integer counter tensor, so 1/(n+1) is rounded to the
    default float dtype (float32) before the lerp; so is it here.
    """

    def swa_update(avg_params: list[Tensor], current: list[Tensor], n: Any) -> None:
        w = float(_dtype.default_np().type(1 / (int(n) + 1)))
        for pa, pc in zip(avg_params, current):
            _lerp_arr(pa._data, pc._data, w)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """Per-tensor EMA: returns ``decay * W_ema + (1 - decay) * W``."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param: Tensor, current: Tensor, n: Any) -> Tensor:
        return Tensor._make(decay * ema_param._data + (1 - decay) * current._data)

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """Per-tensor running mean: returns ``W_avg + (W - W_avg) / (n + 1)``."""

    def swa_update(avg: Tensor, current: Tensor, n: Any) -> Tensor:
        a = avg._data
        return Tensor._make(a + (current._data - a) / a.dtype.type(int(n) + 1))

    return swa_update


def _lerp_arr(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """``a <- a + w (b - a)`` in place, PyTorch's (fused) lerp; see ``inplace.lerp_``."""
    if a.flags.c_contiguous and b.flags.c_contiguous and a.shape == b.shape:
        a, b = a.reshape(-1), b.reshape(-1)
    lerp_(a, b, w, np.empty_like(a), np.empty_like(a))


def _params(obj: Any) -> list[Tensor]:
    return list(obj.parameters()) if hasattr(obj, "parameters") else list(obj)


# ---------------------------------------------------------------------------- EMAModel
class EMAModel:
    """Shadow weights ``W_ema <- decay * W_ema + (1 - decay) * W`` updated after optimiser steps.

    Evaluate with the averaged weights by ``copy_to(model)`` (``store``/``restore`` to go back).
    Without ``bias_correction`` the shadow starts as a copy of the weights; with it the shadow
    starts at zero and :meth:`averaged` returns ``W_ema / (1 - decay^t)``, the notes' corrected EMA
    (useful with decays near 1, where a zero start would take ~1/(1-decay) updates to forget).

    Args:
        model: an object with ``.parameters()``, or an iterable of Tensors.
        decay: weight of the history (default 0.999).
        bias_correction: start from zero and correct by 1/(1 - decay^t).
    """

    def __init__(self, model: Any, decay: float = 0.999, bias_correction: bool = False) -> None:
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")
        self.decay = decay
        self.bias_correction = bias_correction
        params = _params(model)
        self.shadow = [np.zeros_like(p._data) if bias_correction else p._data.copy() for p in params]
        self.num_updates = 0
        self._stored: list[np.ndarray] | None = None

    def update(self, model: Any) -> None:
        """Fold the current weights into the shadow (call after ``optimizer.step()``)."""
        params = _params(model)
        if len(params) != len(self.shadow):
            raise ValueError(f"model has {len(params)} parameters, EMAModel tracks {len(self.shadow)}")
        for s, p in zip(self.shadow, params):
            _lerp_arr(s, p._data, 1 - self.decay)
        self.num_updates += 1

    step = update

    def averaged(self) -> list[np.ndarray]:
        """The averaged weights (bias-corrected when asked)."""
        if self.bias_correction and self.num_updates > 0:
            c = 1.0 - self.decay**self.num_updates
            return [s / s.dtype.type(c) for s in self.shadow]
        return [s.copy() for s in self.shadow]

    def copy_to(self, model: Any) -> None:
        """Write the averaged weights into ``model``'s parameters (in place)."""
        params = _params(model)
        for p, a in zip(params, self.averaged()):
            p._data[...] = a
        bump_versions(params)  # changed in place: a graph that saved them must not use them

    def store(self, model: Any) -> None:
        """Remember ``model``'s current weights (before :meth:`copy_to` for evaluation)."""
        self._stored = [p._data.copy() for p in _params(model)]

    def restore(self, model: Any) -> None:
        """Put back the weights saved by :meth:`store`."""
        if self._stored is None:
            raise RuntimeError("EMAModel.restore() called before store()")
        params = _params(model)
        for p, a in zip(params, self._stored):
            p._data[...] = a
        bump_versions(params)
        self._stored = None

    def state_dict(self) -> dict[str, Any]:
        return {
            "decay": self.decay,
            "bias_correction": self.bias_correction,
            "num_updates": self.num_updates,
            "shadow": [Tensor._make(s.copy()) for s in self.shadow],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.decay = state_dict["decay"]
        self.bias_correction = state_dict["bias_correction"]
        self.num_updates = state_dict["num_updates"]
        self.shadow = [
            (s._data if isinstance(s, Tensor) else np.asarray(s)).astype(old.dtype, copy=True)
            for s, old in zip(state_dict["shadow"], self.shadow)
        ]
