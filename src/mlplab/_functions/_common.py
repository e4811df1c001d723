"""Helpers shared by the top-level function modules."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor, _to_array


def as_tensor(x: Any) -> Tensor:
    """``x`` itself when it is a tensor, else a new tensor of it (PyTorch's dtype inference)."""
    return x if isinstance(x, Tensor) else Tensor._make(_to_array(x, None))


def public(namespace: dict, module: str) -> list[str]:
    """The callables defined in ``module`` without a leading underscore (aliases included)."""
    return sorted(
        name
        for name, value in list(namespace.items())
        if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == module
    )
