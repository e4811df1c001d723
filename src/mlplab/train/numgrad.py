r"""Training by numerical gradients (the notes' section 2.4), vectorised over parameter copies.

For every parameter theta_j the central difference

    dL/dtheta_j ~ (L(theta + h e_j) - L(theta - h e_j)) / (2h)

needs two forward passes: 2P passes for P parameters (7,520 for the 64-50-10 net) per batch.
Instead of looping, ``K`` perturbed copies of the whole parameter vector are stacked and pushed
through the network at once as a batched matmul, so one NumPy call evaluates many differences.
The arithmetic is float64 (h = 1e-4 is too small for float32's rounding error, see
:mod:`mlplab.autograd.numerical`).

Each layer is evaluated by the model's own code: a layer with parameters provides
``forward_parameter_copies(x, copies)``, its forward pass for K stacked parameter copies (``Linear``,
``BatchNorm1d`` with batch statistics as in training, ``PReLU``); a layer without parameters (every
elementwise activation, Identity, Flatten) is called as usual on the copies stacked into one batch.
Dropout is refused: a random mask makes the loss a different function on every call, so its finite
differences are meaningless.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..errors import UserError
from ..tensor import Tensor
from .losses import LossSpec


def _check(model: nn.Module) -> list[nn.Module]:
    mods = list(model.children()) if isinstance(model, nn.Sequential) else [model]
    for m in mods:
        if isinstance(m, nn.Dropout) and m.p > 0:
            raise UserError(
                "numerical gradients need a deterministic loss, but the model has Dropout; "
                "use --dropout 0 with --grad numerical"
            )
        if isinstance(m, nn.Sequential):
            raise UserError("numerical gradients support a flat nn.Sequential (as build_mlp makes)")
    return mods


def _forward_copies(mods: list[nn.Module], x: np.ndarray, params: dict[int, np.ndarray]) -> np.ndarray:
    """Run K parameter copies at once: ``params`` maps id(Parameter) -> array (K, *shape)."""
    a = x[None]  # (1, N, F) broadcasts against (K, ...)
    for m in mods:
        own = dict(m.named_parameters(recurse=False))
        if own:
            if not hasattr(m, "forward_parameter_copies"):
                raise UserError(
                    f"numerical gradients: layer {type(m).__name__} has parameters but no "
                    "forward_parameter_copies(x, copies) method"
                )
            a = m.forward_parameter_copies(a, {name: params[id(p)] for name, p in own.items()})
        elif isinstance(m, (nn.Identity, nn.Dropout)):
            continue
        else:
            k, n = a.shape[0], a.shape[1]
            with no_grad():
                out = m(Tensor._make(a.reshape((k * n,) + a.shape[2:])))._data
            a = out.reshape(k, n, -1)
    return a


def numerical_gradients(
    model: nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    spec: LossSpec,
    l1: float = 0.0,
    l2: float = 0.0,
    h: float = 1e-4,
    chunk: int = 256,
) -> list[np.ndarray]:
    """Central-difference gradient of ``spec`` loss (+ l1 sum|w| + l2 sum w^2) for every parameter.

    Returns one array per ``model.parameters()`` entry, in their dtype. ``chunk`` is how many
    parameters are perturbed per batched pass (2*chunk copies).
    """
    mods = _check(model)
    plist = list(model.parameters())
    sizes = [p.numel() for p in plist]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    theta = np.concatenate([p._data.astype(np.float64).reshape(-1) for p in plist])
    total = theta.size
    x64 = np.asarray(x, dtype=np.float64)
    y_t = Tensor._make(y)
    grads = np.zeros(total)
    for start in range(0, total, chunk):
        idx = np.arange(start, min(start + chunk, total))
        k = idx.size
        thetas = np.repeat(theta[None], 2 * k, axis=0)
        rows = np.arange(k)
        thetas[rows, idx] += h
        thetas[k + rows, idx] -= h
        params = {}
        for p, o, s in zip(plist, offsets[:-1], sizes):
            params[id(p)] = thetas[:, o : o + s].reshape((2 * k,) + tuple(p.shape))
        out = _forward_copies(mods, x64, params)
        kk, n = out.shape[0], out.shape[1]
        flat = Tensor._make(out.reshape(kk * n, -1))
        y_rep = Tensor._make(np.tile(y_t._data, (kk,) + (1,) * (y_t._data.ndim - 1)))
        if spec.task == "regression":
            y_rep = Tensor._make(y_rep._data.astype(np.float64).reshape(kk * n, -1))
        with no_grad():
            per = spec.per_sample(flat, y_rep)._data
        per = per.reshape(kk, -1)
        losses = per.mean(axis=1)
        if l1:
            losses = losses + l1 * np.abs(thetas).sum(axis=1)
        if l2:
            losses = losses + l2 * (thetas * thetas).sum(axis=1)
        grads[idx] = (losses[:k] - losses[k:]) / (2 * h)
    return [
        grads[o : o + s].reshape(p.shape).astype(p._data.dtype) for p, o, s in zip(plist, offsets[:-1], sizes)
    ]


def assign_grads(model: nn.Module, grads: list[np.ndarray]) -> None:
    """Store numerically computed gradients in each parameter's ``.grad`` for the optimiser."""
    for p, g in zip(model.parameters(), grads):
        p.grad = Tensor._make(g)
