r"""Layer functions: ``linear``, ``dropout``, ``batch_norm``, each one fused ``Function``.

Fusing is where the math fuses: y = x W^T + b is one node whose backward is three matrix
products, not a transpose, a matmul and a broadcast add recorded separately.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as _random
from ...autograd.function import Function
from ...tensor import Size, Tensor


class LinearFn(Function):
    r"""y = x W^T + b  (x: (*, in), W: (out, in), b: (out,)).

    Backward, with g = dL/dy flattened to (M, out) and x to (M, in):
    dL/dx = g W,  dL/dW = g^T x,  dL/db = \sum_rows g.
    """

    owns_grads = True  # three fresh products/sums: leaves keep them without a copy

    def forward(self, x, w, b=None):
        self.x, self.w = x, w
        y = x @ w.T
        if b is not None:
            y += b
        return y

    def name(self) -> str:
        return "AddmmBackward0" if len(self.needs) == 3 else "MmBackward0"

    def backward(self, g):
        x, w = self.x, self.w
        needs = self.needs
        gx = g @ w if needs[0] else None
        if len(needs) < 2:
            return gx
        if x.ndim == 2:
            g2, x2 = g, x
        elif x.ndim == 1:
            g2, x2 = g.reshape(1, -1), x.reshape(1, -1)
        else:
            g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        gw = g2.T @ x2 if needs[1] else None
        if len(needs) == 3:
            return gx, gw, (g2.sum(0) if needs[2] else None)
        return gx, gw


def _linear_check(x: Tensor, w: Tensor) -> None:
    xs, ws = x._data.shape, w._data.shape
    if not xs or xs[-1] != ws[-1]:
        raise RuntimeError(
            f"linear: expected input (*, {ws[-1]}) for weight of shape {tuple(ws)}, got {tuple(xs)}"
        )
    if x._data.dtype != w._data.dtype:
        raise RuntimeError(
            f"linear: input dtype {x.dtype.name} differs from weight dtype {w.dtype.name} "
            f"(mat1 and mat2 must have the same dtype); convert with .float() or .double()"
        )


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""y = x W^T + b, the affine map of a fully-connected layer (W: (out_features, in_features))."""
    _linear_check(input, weight)
    if bias is None:
        return LinearFn.apply2(input, weight)
    if not isinstance(bias, Tensor):
        return LinearFn.apply(input, weight, bias)
    return LinearFn.apply3(input, weight, bias)


class MaskFn(Function):
    """y = x * m for a fixed mask m;  dL/dx = g * m."""

    bw_name = "MulBackward0"

    def forward(self, x, m):
        self.m = m
        return x * m

    def backward(self, g):
        return g * self.m


def dropout_mask(shape: tuple, p: float, dtype: np.dtype, generator: Any = None) -> np.ndarray:
    """The inverted-dropout mask: 0 with probability p, 1/(1-p) otherwise (drawn from mlplab's RNG)."""
    if p >= 1.0:
        return np.zeros(shape, dtype=dtype)
    rdt = dtype if dtype in (np.float32, np.float64) else np.float64
    keep = _random.rng(generator).random(shape, dtype=rdt) >= p
    return np.multiply(keep, 1.0 / (1.0 - p), dtype=dtype)


def _check_p(p: float) -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    r"""Inverted dropout: in training, y_i = x_i m_i / (1 - p) with m_i ~ Bernoulli(1 - p), so
    E[y_i] = x_i and nothing needs rescaling at test time; identity when ``training`` is False.

    ``inplace`` is accepted for compatibility; the result is always a new tensor.
    """
    p = _check_p(p)
    if not training or p == 0.0:
        return input
    x = input._data
    return MaskFn.apply(input, dropout_mask(x.shape, p, x.dtype))


class BatchNormFn(Function):
    r"""Batch normalisation over every axis but the channel axis 1.

    Training (batch statistics, M values per channel):
        \mu = mean(x),  \sigma^2 = mean((x - \mu)^2)  (biased),
        \hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon},
        y = \gamma \hat x + \beta;
        dL/dx = (\gamma / (M \sqrt{\sigma^2+\epsilon})) (M g - \sum g - \hat x \sum g \hat x),
        dL/d\gamma = \sum g \hat x,  dL/d\beta = \sum g.
    Evaluation (fixed running statistics): y is affine in x, dL/dx = g \gamma / \sqrt{var + \epsilon}.
    """

    bw_name = "NativeBatchNormBackward0"

    def forward(self, x, weight, bias, mean, var, use_batch, eps, cshape):
        # mean, var: the batch statistics (training) or the running ones, shaped like ``cshape``
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.use_batch = use_batch
        self.m = x.size // x.shape[1]
        self.invstd = invstd = 1.0 / np.sqrt(var + eps)
        self.xhat = xhat = (x - mean) * invstd
        self.w = w = None if weight is None else weight.reshape(cshape)
        self.has_b = bias is not None
        y = xhat if w is None else xhat * w
        if bias is not None:
            y = y + bias.reshape(cshape)  # not +=: y may be the saved xhat
        return y

    def backward(self, g):
        axes, xhat, w = self.axes, self.xhat, self.w
        needs = self.needs
        out = []
        if needs[0]:
            gxhat = g if w is None else g * w
            if self.use_batch:
                m = self.m
                s1 = gxhat.sum(axis=axes, keepdims=True)
                s2 = (gxhat * xhat).sum(axis=axes, keepdims=True)
                gx = (gxhat - s1 / m - xhat * (s2 / m)) * self.invstd
            else:
                gx = gxhat * self.invstd
            out.append(gx)
        else:
            out.append(None)
        if w is not None:
            out.append((g * xhat).sum(axis=axes) if needs[len(out)] else None)
        if self.has_b:
            out.append(g.sum(axis=axes) if needs[len(out)] else None)
        return tuple(out)


def _verify_batch_size(shape: tuple) -> None:
    n = shape[0]
    for s in shape[2:]:
        n *= s
    if n == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {Size(shape)}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    r"""Batch normalisation of ``input`` (N, C, *) per channel C.

    In training the batch's biased variance normalises, and the running statistics (when given)
    are updated in place as PyTorch does:
        running_mean <- (1 - momentum) running_mean + momentum \mu
        running_var  <- (1 - momentum) running_var  + momentum \sigma^2 M/(M-1)   (unbiased)
    Outside training the running statistics normalise.
    """
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, *), got {tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (
        ("weight", weight),
        ("bias", bias),
        ("running_mean", running_mean),
        ("running_var", running_var),
    ):
        if t is not None and t._data.shape != (c,):
            raise RuntimeError(
                f"batch_norm: {name} has shape {tuple(t._data.shape)} but input has {c} channels "
                f"(input shape {tuple(x.shape)})"
            )
    axes = (0,) + tuple(range(2, x.ndim))
    cshape = (1, c) + (1,) * (x.ndim - 2)
    if training:
        _verify_batch_size(x.shape)
    elif running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var are required when training=False")
    if training:
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
    else:
        mean = running_mean._data.reshape(cshape)
        var = running_var._data.reshape(cshape)
    out = BatchNormFn.apply(input, weight, bias, mean, var, bool(training), float(eps), cshape)
    if training:
        m = x.size // c
        mom = float(momentum)
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1.0 - mom
            rm += mom * mean.reshape(c).astype(rm.dtype, copy=False)
        if running_var is not None:
            rv = running_var._data
            rv *= 1.0 - mom
            rv += (mom * m / (m - 1)) * var.reshape(c).astype(rv.dtype, copy=False)
    return out


__all__ = ["linear", "dropout", "batch_norm", "LinearFn", "MaskFn", "BatchNormFn", "dropout_mask"]
