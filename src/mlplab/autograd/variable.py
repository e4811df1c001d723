"""``autograd.Variable``: the pre-0.4 wrapper, now (as in PyTorch) just a tensor.

``Variable(t, requires_grad=True)`` returns a new leaf tensor sharing ``t``'s data, with
``requires_grad`` set; ``isinstance(x, Variable)`` is True for every tensor.
"""

from __future__ import annotations

from typing import Any

from .tensor_base import TensorBase


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, TensorBase)


class Variable(metaclass=_VariableMeta):
    """Legacy alias: ``Variable(data, requires_grad=False, volatile=False)`` -> a tensor."""

    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, TensorBase):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()  # type: ignore[attr-defined]
        return out.requires_grad_(requires_grad) if requires_grad else out
