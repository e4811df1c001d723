"""Autograd: grad mode, ``Op``, the backward engine and numerical differentiation."""

from . import numerical
from .engine import backward
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .op import Op

__all__ = [
    "Op",
    "backward",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "numerical",
    "set_grad_enabled",
]
