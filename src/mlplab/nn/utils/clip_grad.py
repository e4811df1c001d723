r"""``mlplab.nn.utils``: gradient clipping, the usual remedy for the exploding gradients the notes
describe (repeated products of factors > 1 through the layers).

``clip_grad_norm_`` rescales all gradients together when their joint norm
||g|| = (\sum_p ||g_p||^q)^{1/q} exceeds ``max_norm``: g <- g * max_norm / (||g|| + 1e-6), which
keeps the update's direction. ``clip_grad_value_`` clamps each element to [-c, c] instead.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...autograd.tensor_base import bump_version
from ...tensor import Tensor

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]


def _params(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _vector_norm(v: np.ndarray, p: float) -> float:
    r"""||v||_p of all of ``v``'s elements, in float64: (\sum |v_i|^p)^{1/p}; max |v_i| (p = inf),
    min |v_i| (p = -inf), the count of non-zeros (p = 0), as ``torch.linalg.vector_norm``."""
    a = np.abs(v.astype(np.float64, copy=False)).reshape(-1)
    if p == 0:
        return float(np.count_nonzero(a))
    if not a.size:
        return 0.0
    if math.isinf(p):
        return float(a.max() if p > 0 else a.min())
    return float(np.sum(a**p)) ** (1 / p)


def get_total_norm(
    tensors: Any, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: Any = None
) -> Tensor:
    """The ``norm_type``-norm of the norms of ``tensors`` (for p > 0 the norm of all their elements
    together), as a 0-d tensor of their common dtype (float32 0 for none). ``foreach`` is ignored."""
    arrays = [t._data for t in _params(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    total = _vector_norm(np.array([_vector_norm(a, norm_type) for a in arrays]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
            f"cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
            f"anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(np.asarray(total, dtype=np.result_type(*arrays)))


def clip_grads_with_norm_(parameters: Any, max_norm: float, total_norm: Tensor, foreach: Any = None) -> None:
    """Scale every gradient in place by min(1, max_norm / (total_norm + 1e-6))."""
    grads = [p.grad._data for p in _params(parameters) if p.grad is not None]
    if not grads:
        return
    total = float(total_norm._data) if isinstance(total_norm, Tensor) else float(total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    with np.errstate(invalid="ignore"):  # an infinite norm gives coef 0 and inf * 0 = NaN, as torch
        for g in grads:
            g *= g.dtype.type(coef)


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Scale the gradients in place so that their joint ``norm_type``-norm is at most ``max_norm``:
    g <- g min(1, max_norm / (||g|| + 1e-6)). Returns the joint norm before clipping, as PyTorch
    (parameters without ``.grad`` are skipped; ``foreach`` is accepted and ignored)."""
    if not isinstance(parameters, Tensor):
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2
            )
    params = _params(parameters)
    total = get_total_norm([p.grad for p in params if p.grad is not None], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_` (warns, as PyTorch)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


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
