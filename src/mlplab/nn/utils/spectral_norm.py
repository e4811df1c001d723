r"""Spectral normalisation (Miyato et al., 2018), PyTorch's original hook API:
``spectral_norm(module)`` keeps the parameter as ``weight_orig`` and two unit vectors as buffers
``weight_u``, ``weight_v``, and before every forward sets

    weight = weight_orig / sigma,   sigma = u^T W v   (W: weight_orig as a matrix, rows along ``dim``)

In training mode each forward first runs ``n_power_iterations`` steps of the power iteration, in
this API's order: v <- normalize(W^T u), then u <- normalize(W v) (no gradient flows through u, v);
in eval mode u and v stay fixed. Unlike ``parametrizations.spectral_norm`` (u first, 15 steps at
registration) nothing is iterated before the first forward. ``remove_spectral_norm`` folds the
current W / sigma back into one ``weight``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor_base import bump_version
from ...tensor import Parameter, Tensor
from ..module import Module
from ..parameter import UninitializedParameter

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]

T_module = TypeVar("T_module", bound=Module)


def _unit(a: np.ndarray, eps: float) -> np.ndarray:
    """a / max(||a||, eps) (``F.normalize``)."""
    return a / max(float(np.sqrt(np.dot(a, a))), eps)


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name>`` = W / sigma(W) (see the module docstring)."""

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """The weight as a matrix whose rows run along ``dim``."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        w = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            a = w._data
            for _ in range(self.n_power_iterations):
                v._data[...] = _unit(a.T @ u._data, self.eps)
                u._data[...] = _unit(a @ v._data, self.eps)
            bump_version(u)
            bump_version(v)
            u, v = u.clone(), v.clone()
        sigma = (u * (w @ v)).sum()
        return weight / sigma

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying spectral normalization"
            )
        with no_grad():
            h, k = fn.reshape_weight_to_matrix(weight).shape
            dt = weight._data.dtype
            u = _unit(Tensor._make(np.empty(h, dtype=dt)).normal_(0, 1)._data, eps)
            v = _unit(Tensor._make(np.empty(k, dtype=dt)).normal_(0, 1)._data, eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", Tensor._make(u))
        module.register_buffer(name + "_v", Tensor._make(v))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(
    module: T_module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T_module:
    r"""Normalise ``module.<name>`` by its largest singular value before every forward (see the
    module docstring); ``dim`` defaults to 0 (the output rows)."""
    SpectralNorm.apply(module, name, n_power_iterations, 0 if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`spectral_norm`: ``<name>`` becomes one Parameter holding W / sigma."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            module._update_hook_flag()
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
