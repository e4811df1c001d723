"""Shared helpers for the optim tests: a 10-8-3 tanh MLP built twice, from mlplab and torch leaves.

The network is written with core ops only (no mlplab.nn): ``h = tanh(X @ W1 + b1)``,
``logits = h @ W2 + b2``, loss = mean cross-entropy written as ``logsumexp(logits) - logits[y]``.
Both sides start from the same NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import mlplab

N, D_IN, D_H, D_OUT = 32, 10, 8, 3


def init_arrays(dtype: Any, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 0.5, (D_IN, D_H))
    b1 = rng.normal(0, 0.1, (D_H,))
    W2 = rng.normal(0, 0.5, (D_H, D_OUT))
    b2 = rng.normal(0, 0.1, (D_OUT,))
    X = rng.normal(0, 1, (N, D_IN))
    y = rng.integers(0, D_OUT, N)
    return [a.astype(dtype) for a in (W1, b1, W2, b2)], X.astype(dtype), y


def mlplab_loss(params: list[mlplab.Tensor], X: mlplab.Tensor, y: np.ndarray) -> mlplab.Tensor:
    W1, b1, W2, b2 = params
    h = (X @ W1 + b1).tanh()
    logits = h @ W2 + b2
    return (logits.logsumexp(1) - logits[range(len(y)), y]).mean()


def torch_loss(params: list[torch.Tensor], X: torch.Tensor, y: np.ndarray) -> torch.Tensor:
    W1, b1, W2, b2 = params
    h = (X @ W1 + b1).tanh()
    logits = h @ W2 + b2
    return (logits.logsumexp(1) - logits[range(len(y)), torch.from_numpy(y)]).mean()


class Pair:
    """The same MLP on both sides, with helpers to step optimisers and compare the weights."""

    def __init__(self, dtype: Any, seed: int = 0) -> None:
        arrays, X, y = init_arrays(dtype, seed)
        self.m = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
        self.t = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
        self.Xm = mlplab.tensor(X)
        self.Xt = torch.tensor(X)
        self.y = y

    def closure_m(self, opt: Any) -> Callable[[], Any]:
        def closure() -> Any:
            opt.zero_grad()
            loss = mlplab_loss(self.m, self.Xm, self.y)
            loss.backward()
            return loss

        return closure

    def closure_t(self, opt: Any) -> Callable[[], Any]:
        def closure() -> Any:
            opt.zero_grad()
            loss = torch_loss(self.t, self.Xt, self.y)
            loss.backward()
            return loss

        return closure

    def backward_m(self) -> float:
        loss = mlplab_loss(self.m, self.Xm, self.y)
        loss.backward()
        return float(loss)

    def backward_t(self) -> float:
        loss = torch_loss(self.t, self.Xt, self.y)
        loss.backward()
        return float(loss.detach())

    def assert_close(self, rtol: float, atol: float, msg: str = "") -> None:
        for i, (a, b) in enumerate(zip(self.m, self.t)):
            np.testing.assert_allclose(
                a._data, b.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"param {i} {msg}"
            )


def tolerances(dtype: Any) -> tuple[float, float]:
    """(rtol, atol): float64 1e-10 relative; float32 1e-5 (atol for weights near zero)."""
    return (1e-10, 1e-12) if dtype == np.float64 else (1e-5, 1e-6)
