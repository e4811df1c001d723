r"""Batch normalisation layers: ``BatchNorm1d`` ((N, C) or (N, C, L)) and ``BatchNorm2d`` ((N, C, H, W)).

x_hat = (x - \mu) / \sqrt{\sigma^2 + \epsilon},  y = \gamma x_hat + \beta,  per channel C.
Training uses the batch statistics (biased variance) and updates running estimates (unbiased
variance); evaluation uses the running estimates, so one example's output no longer depends on
the rest of its batch.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _device, _dtype
from ..tensor import Parameter, Tensor
from .functional.layers import _verify_batch_size, batch_norm
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _device.check(device)  # the CPU only: torch's CPU-build error otherwise
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        c = self.num_features
        if affine:
            self.weight = Parameter(Tensor._make(np.ones(c, dtype=npd)))
            if bias:
                self.bias = Parameter(Tensor._make(np.zeros(c, dtype=npd)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(c, dtype=npd)))
            self.register_buffer("running_var", Tensor._make(np.ones(c, dtype=npd)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data.fill(0)
            self.running_var._data.fill(1)
            self.num_batches_tracked._data.fill(0)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight._data.fill(1)
            if self.bias is not None:
                self.bias._data.fill(0)

    def _check_input_dim(self, x: np.ndarray) -> None:
        if x.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise RuntimeError(
                f"{type(self).__name__}({self.num_features}) expected {self.num_features} channels in "
                f"dimension 1, got input of shape {tuple(x.shape)}"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input._data)
        # momentum None: cumulative moving average, factor 1/num_batches_tracked
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training:
            _verify_batch_size(input._data.shape)  # before counting the batch
        if self.training and self.track_running_stats:
            nbt = self.num_batches_tracked
            if nbt is not None:
                nbt._data += 1
                if self.momentum is None:
                    factor = 1.0 / float(nbt._data)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    r"""Batch norm over (N, C) or (N, C, L) input, per channel C (defaults eps=1e-5, momentum=0.1).

    ``affine`` adds the learnable \gamma (weight) and \beta (bias; ``bias=False`` drops \beta only).

    running <- (1 - momentum) running + momentum batch_stat; momentum=None averages all batches
    seen. In training a channel with a single value (batch size 1 on (N, C)) raises, as PyTorch.
    """

    _dims = (2, 3)

    def forward_parameter_copies(self, x: np.ndarray, copies: dict[str, np.ndarray]) -> np.ndarray:
        """Training-mode batch norm of (K, N, C) input for K stacked parameter copies at once (NumPy,
        no graph; batch statistics, running statistics untouched): ``copies`` name -> (K, C)."""
        mu = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        out = (x - mu) / np.sqrt(var + self.eps)
        if "weight" in copies:
            out = out * copies["weight"][:, None, :]
        if "bias" in copies:
            out = out + copies["bias"][:, None, :]
        return out


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C."""

    _dims = (4,)
