"""Autograd: grad mode, ``Op``, user ``Function``s, the backward engine and numerical differentiation."""

from . import function, functional, numerical
from .differentiate import backward, grad
from .function import Function
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .numerical import gradcheck, gradgradcheck
from .op import Op
from .variable import Variable

__all__ = [
    "Function",
    "Op",
    "Variable",
    "backward",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "numerical",
    "set_grad_enabled",
]
