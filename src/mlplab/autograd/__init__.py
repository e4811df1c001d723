"""Autograd: grad mode, ``Op``, user ``Function``s, the backward engine and numerical differentiation."""

from . import function, functional, numerical
from .differentiate import backward, grad
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .numerical import gradcheck, gradgradcheck
from .op import Op

__all__ = [
    "Function",
    "Op",
    "backward",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "numerical",
    "set_grad_enabled",
]
