"""Argument checks shared by the functional forms: reductions, float inputs, dtype alignment."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _dtype
from ...tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")
KL_REDUCTIONS = REDUCTIONS + ("batchmean",)  # kl_div also divides by the batch size


def check_reduction(reduction: str, allowed: tuple = REDUCTIONS) -> str:
    """Validate ``reduction`` (PyTorch's message: "'x' is not a valid value for reduction")."""
    if reduction not in allowed:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected one of {allowed}")
    return reduction


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """Map PyTorch's deprecated ``size_average``/``reduce`` flags onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def loss_input(
    input: Any, size_average: Any, reduce: Any, reduction: str, allowed: tuple = REDUCTIONS
) -> tuple[Tensor, str]:
    """What every loss checks first: its ``reduction`` (PyTorch's deprecated ``size_average`` and
    ``reduce`` flags mapped onto it, then validated) and a floating-point ``input``."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction), allowed)
    return float_input(input), reduction


def label_tensor(target: Any) -> Tensor:
    """Class labels as a Tensor (array-likes wrapped as they are; their dtype is checked later)."""
    return target if isinstance(target, Tensor) else Tensor._make(np.asarray(target))


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor (Python numbers and arrays get ``like``'s float dtype, else the default)."""
    if isinstance(x, Tensor):
        return x
    dt = like._data.dtype if like is not None and like._data.dtype.kind == "f" else _dtype.default_np()
    return Tensor._make(np.asarray(x, dtype=dt))


def float_input(x: Any, name: str = "input") -> Tensor:
    """Check that ``x`` is a floating-point Tensor (the ops below are defined for floats only)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name} must be a floating-point tensor, got dtype {x.dtype.name} (convert with .float())"
        )
    return x


def same_float(x: Tensor, t: Any) -> tuple[Tensor, Tensor]:
    """Bring ``x`` and ``t`` to one float dtype (PyTorch's promotion; integer targets take x's)."""
    t = as_tensor(t, x)
    dx, dt = x._data.dtype, t._data.dtype
    if dx == dt:
        return x, t
    if dt.kind != "f":
        return x, t.type(_dtype.from_numpy_dtype(dx))
    d = _dtype.from_numpy_dtype(np.promote_types(dx, dt))
    return x.type(d), t.type(d)


def check_same_shape(x: Tensor, t: Tensor, fn: str) -> None:
    """Raise when input and target shapes differ (PyTorch only warns when they broadcast)."""
    if x._data.shape != t._data.shape:
        raise ValueError(
            f"{fn}: input shape {tuple(x._data.shape)} and target shape {tuple(t._data.shape)} differ; "
            f"they must be equal (PyTorch only warns here and broadcasts, which silently computes "
            f"the wrong loss: reshape one of them, e.g. target.view_as(input))"
        )
