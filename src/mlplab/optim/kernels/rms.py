"""Compiled one-pass updates of ``RMSprop`` and ``Adagrad``: each line is the reference's line
(``optim/rmsprop.py``, ``optim/adagrad.py``) for one element, rounded as the reference rounds it."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import args
from ._jit import axpy, gradient, jit, lerp

__all__ = ["adagrad", "rmsprop"]


@jit
def _rmsprop(
    w,
    g,
    square_avg,
    buffer,
    grad_avg,
    maximize,
    weight_decay,
    alpha,
    c,
    centered,
    from_b,
    c_avg,
    eps,
    momentum,
    use_momentum,
    neg_lr,
):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        si = square_avg[i] * alpha + (gi * c) * gi  # S <- alpha S + (1 - alpha) g g
        square_avg[i] = si
        if centered:
            ai = lerp(grad_avg[i], gi, from_b, c_avg)  # g_avg <- alpha g_avg + (1 - alpha) g
            grad_avg[i] = ai
            avg = np.sqrt(si - ai * ai) + eps  # avg <- sqrt(S - g_avg^2) + eps
        else:
            avg = np.sqrt(si) + eps  # avg <- sqrt(S) + eps
        if use_momentum:
            bi = buffer[i] * momentum + gi / avg  # b <- momentum b + g / avg
            buffer[i] = bi
            w[i] = axpy(neg_lr, bi, wi)  # w <- w - lr b
        else:
            w[i] = wi + (gi * neg_lr) / avg  # w <- w - lr g / avg


def rmsprop(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One RMSprop step of ``w`` (flat arrays), the scalars ``s`` as ``RMSprop.scalars`` returns them."""
    arrays, scalars = args.rmsprop(w, g, state, s)
    _rmsprop(*arrays, *scalars)


@jit
def _adagrad(w, g, total, maximize, weight_decay, eps, neg_clr):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        ti = total[i] + gi * gi  # G <- G + g g
        total[i] = ti
        w[i] = wi + (gi * neg_clr) / (np.sqrt(ti) + eps)  # w <- w - clr g / (sqrt(G) + eps)


def adagrad(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One Adagrad step of ``w`` (flat arrays), the scalars ``s`` as ``Adagrad.scalars`` returns them."""
    arrays, scalars = args.adagrad(w, g, state, s)
    _adagrad(*arrays, *scalars)
