"""Compiled one-pass updates of ``Adam``/``AdamW`` and ``NAdam``: each line is the reference's line
(``optim/adam.py``, ``optim/nadam.py``) for one element, rounded as the reference rounds it."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import args
from ._jit import gradient, jit, lerp

__all__ = ["adam", "nadam"]


@jit
def _adam(
    w,
    g,
    m,
    v,
    v_max,
    maximize,
    weight_decay,
    decay,
    from_b,
    c1,
    beta2,
    c2,
    amsgrad,
    bc2_sqrt,
    eps,
    neg_step_size,
):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        if decay != 1:
            wi = wi * decay  # w <- w (1 - lr weight_decay)                      (AdamW)
        mi = lerp(m[i], gi, from_b, c1)  # m <- beta1 m + (1 - beta1) g
        m[i] = mi
        vi = v[i] * beta2 + (gi * c2) * gi  # v <- beta2 v + (1 - beta2) g g
        v[i] = vi
        if amsgrad:
            top = v_max[i]
            if not (top >= vi or top != top):  # np.maximum, NaN kept
                top = vi
            v_max[i] = top
            vi = top
        denom = np.sqrt(vi) / bc2_sqrt + eps  # denom <- sqrt(v) / sqrt(1 - beta2^t) + eps
        w[i] = wi + (mi * neg_step_size) / denom  # w <- w - lr / (1 - beta1^t) m / denom


def adam(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One Adam/AdamW step of ``w`` (flat arrays), the scalars ``s`` as ``Adam.scalars`` returns them."""
    arrays, scalars = args.adam(w, g, state, s)
    _adam(*arrays, *scalars)


@jit
def _nadam(
    w,
    g,
    m,
    v,
    maximize,
    weight_decay,
    decay,
    from_b,
    c1,
    beta2,
    c2,
    bias_correction2,
    eps,
    grad_coef,
    avg_coef,
):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        if decay != 1:
            wi = wi * decay  # w <- w (1 - lr weight_decay)                      (decoupled)
        mi = lerp(m[i], gi, from_b, c1)  # m <- beta1 m + (1 - beta1) g
        m[i] = mi
        vi = v[i] * beta2 + (gi * c2) * gi  # v <- beta2 v + (1 - beta2) g g
        v[i] = vi
        denom = np.sqrt(vi / bias_correction2) + eps  # denom <- sqrt(v / (1 - beta2^t)) + eps
        wi = wi + (gi * grad_coef) / denom  # w <- w - lr (1 - mu_t) / (1 - P_t) g / denom
        w[i] = wi + (mi * avg_coef) / denom  # w <- w - lr mu_{t+1} / (1 - P_t mu_{t+1}) m / denom


def nadam(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One NAdam step of ``w`` (flat arrays), the scalars ``s`` as ``NAdam.scalars`` returns them."""
    arrays, scalars = args.nadam(w, g, state, s)
    _nadam(*arrays, *scalars)
