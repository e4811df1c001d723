"""Autograd: grad mode, ``Function``, the backward engine and numerical differentiation."""

from . import numerical
from .engine import backward
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Function",
    "backward",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "numerical",
    "set_grad_enabled",
]
