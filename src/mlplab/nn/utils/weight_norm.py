r"""Weight normalisation (Salimans & Kingma, 2016), PyTorch's original hook API:
``weight_norm(module)`` replaces ``weight`` by two parameters, a direction ``weight_v`` and a
magnitude ``weight_g``, and recomputes

    w = g v / ||v||

before every forward (a forward pre-hook), the norm taken over every dimension but ``dim`` (one
norm per output row for ``dim=0``; ``dim=None`` one norm of the whole tensor). Training then moves
the length and the direction of each row separately. ``remove_weight_norm`` folds them back into
one ``weight``. PyTorch deprecates this API in favour of ``parametrizations.weight_norm`` (same
formula, registered as a parametrization); it warns, as PyTorch does.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ...tensor import Parameter, Tensor
from ..module import Module
from ..parameter import UninitializedParameter

__all__ = ["WeightNorm", "norm_except_dim", "remove_weight_norm", "weight_norm"]

T_module = TypeVar("T_module", bound=Module)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    r"""||v|| over every dimension except ``dim``, kept as size-1 dimensions so that it broadcasts
    against ``v``: sqrt(\sum_{others} v^2) (pow 2). ``dim=-1``: the norm of the whole tensor, 0-d
    (PyTorch's convention: -1 means "no dimension", not the last one)."""
    if dim == -1:
        return v.norm(pow)
    axes = tuple(d for d in range(v.dim()) if d != dim)
    if not axes:  # a 1-D v normalised along its only dimension: each element's own size
        return v.abs() if pow == 2 else (v.abs() ** pow) ** (1 / pow)
    if pow == 2:
        return (v * v).sum(dim=axes, keepdim=True).sqrt()
    return (v.abs() ** pow).sum(dim=axes, keepdim=True) ** (1 / pow)


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    r"""w = v g / ||v|| (the norm over every dimension but ``dim``)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying weight normalization"
            )
        delattr(module, name)
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        delattr(module, self.name + "_g")
        delattr(module, self.name + "_v")
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T_module, name: str = "weight", dim: int = 0) -> T_module:
    r"""Reparametrise ``module.<name>`` as w = g v / ||v|| (see the module docstring); returns the
    module, whose parameters are now ``<name>_g`` (the norms, shaped to broadcast) and ``<name>_v``."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`weight_norm`: ``<name>`` becomes one Parameter again, holding g v / ||v||."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            module._update_hook_flag()
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
