r"""``weight_norm`` and ``spectral_norm`` as parametrizations (PyTorch's current API,
``torch.nn.utils.parametrizations``).

Weight normalisation: w = g v / ||v|| with the norm over every dimension but ``dim``; the
originals are ``parametrizations.weight.original0`` (g) and ``original1`` (v).

Spectral normalisation (Miyato et al., 2018): w = W / sigma(W), sigma the largest singular value of
W (reshaped to a matrix with ``dim`` as its rows), estimated by power iteration with two buffers,
u and v (unit vectors):

    u <- normalize(W v),  then  v <- normalize(W^T u)     (normalize(a) = a / max(||a||, eps))
    sigma = u^T W v

In training mode every access to the weight runs ``n_power_iterations`` steps and updates u and v in
place (no gradient through them); in eval mode they stay fixed. Registration runs 15 steps from
random unit vectors. A 1-D weight is simply divided by its norm.
"""

from __future__ import annotations

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor_base import bump_version
from ...tensor import Tensor
from ..module import Module
from .parametrize import register_parametrization
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """w = g v / ||v|| from (g, v); its right inverse splits w into (||w||, w)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    r"""Reparametrise ``module.<name>`` as w = g v / ||v|| (originals g: ``original0``, v:
    ``original1``); ``dim=None`` normalises the whole tensor at once."""
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _unit(a: np.ndarray, eps: float) -> np.ndarray:
    """a / max(||a||, eps) (``F.normalize``)."""
    return a / max(float(np.sqrt(np.dot(a, a))), eps)


class _SpectralNorm(Module):
    """W / sigma(W), sigma by power iteration on the buffers ``_u``, ``_v`` (see the module docstring)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            w = self._matrix(weight)._data
            h, k = w.shape
            u = _unit(Tensor._make(np.empty(h, dtype=w.dtype)).normal_(0, 1)._data, eps)
            v = _unit(Tensor._make(np.empty(k, dtype=w.dtype)).normal_(0, 1)._data, eps)
            self.register_buffer("_u", Tensor._make(u))
            self.register_buffer("_v", Tensor._make(v))
            self._power_method(w, 15)

    def _matrix(self, weight: Tensor) -> Tensor:
        """The weight as a matrix whose rows run along ``dim``."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, w: np.ndarray, n: int) -> None:
        """n steps of u <- normalize(W v), v <- normalize(W^T u), written into the buffers."""
        u, v = self._u._data, self._v._data
        for _ in range(n):
            u[...] = _unit(w @ v, self.eps)
            v[...] = _unit(w.T @ u, self.eps)
        bump_version(self._u)
        bump_version(self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / weight.norm().clamp(min=self.eps)
        w = self._matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(w._data, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u * (w @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    r"""Reparametrise ``module.<name>`` as W / sigma(W) (see the module docstring); the buffers u, v
    are ``parametrizations.<name>.0._u`` and ``._v``. ``dim`` defaults to 0 (the output rows)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, 0 if dim is None else dim, eps)
    )
    return module
