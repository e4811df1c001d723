"""Compiled one-pass updates of ``SGD`` (PyTorch's momentum) and ``Momentum`` (the notes' EMA): each
line is the reference's line (``optim/sgd.py``, ``optim/momentum.py``) for one element."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import args
from ._jit import axpy, gradient, jit

__all__ = ["momentum", "sgd"]


@jit
def _sgd(w, g, buffer, maximize, weight_decay, use_momentum, first, momentum, c, nesterov, neg_lr):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        if use_momentum:
            if first:
                bi = gi  # b <- g                                            (t = 1)
            else:
                bi = axpy(c, gi, buffer[i] * momentum)  # b <- momentum b + (1 - dampening) g
            buffer[i] = bi
            if nesterov:
                gi = axpy(momentum, bi, gi)  # g <- g + momentum b
            else:
                gi = bi  # g <- b
        w[i] = axpy(neg_lr, gi, wi)  # w <- w - lr g


def sgd(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One SGD step of ``w`` (flat arrays), the scalars ``s`` as ``SGD.scalars`` returns them."""
    arrays, scalars = args.sgd(w, g, state, s)
    _sgd(*arrays, *scalars)


@jit
def _momentum(w, g, velocity, maximize, weight_decay, alpha, c, neg_lr):
    for i in range(w.size):
        wi = w[i]
        gi = gradient(g[i], wi, maximize, weight_decay)  # g <- (-)g + weight_decay w
        vi = axpy(c, gi, velocity[i] * alpha)  # v <- alpha v + (1 - alpha) g
        velocity[i] = vi
        w[i] = axpy(neg_lr, vi, wi)  # w <- w - lr v


def momentum(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
    """One Momentum step of ``w`` (flat arrays), the scalars ``s`` as ``Momentum.scalars`` returns them."""
    arrays, scalars = args.momentum(w, g, state, s)
    _momentum(*arrays, *scalars)
