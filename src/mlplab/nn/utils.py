r"""``mlplab.nn.utils``: gradient clipping, the usual remedy for the exploding gradients the notes
describe (repeated products of factors > 1 through the layers).

``clip_grad_norm_`` rescales all gradients together when their joint norm
||g|| = (\sum_p ||g_p||^q)^{1/q} exceeds ``max_norm``: g <- g * max_norm / (||g|| + 1e-6), which
keeps the update's direction. ``clip_grad_value_`` clamps each element to [-c, c] instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd.tensor_base import bump_version
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _params(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Scale the gradients in place so that their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the joint norm before clipping (as PyTorch). Parameters without ``.grad`` are skipped.
    """
    grads = [p.grad._data for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    if math.isinf(norm_type):
        total = max(float(np.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(float(np.sum(np.abs(g.astype(np.float64)) ** norm_type)) for g in grads)) ** (
            1 / norm_type
        )
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
            f"cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
            f"anyway, set `error_if_nonfinite=False`"
        )
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    for g in grads:
        g *= g.dtype.type(coef)
    return Tensor._make(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    c = float(clip_value)
    for p in _params(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -c, c, out=p.grad._data)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (a copy)."""
    return Tensor._make(np.concatenate([p._data.reshape(-1) for p in parameters]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place."""
    v = vec._data
    if v.ndim != 1:
        raise TypeError(f"expected a 1-D vector, got shape {tuple(v.shape)}")
    i = 0
    for p in parameters:
        n = p._data.size
        p._data[...] = v[i : i + n].reshape(p._data.shape)
        bump_version(p)  # an in-place write: a graph that saved p must not use the new values
        i += n
    if i != v.size:
        raise ValueError(f"vector has {v.size} elements but the parameters hold {i}")
