r"""Negative log-likelihood losses of simple distributions: logistic (soft margin, multi-label soft
margin), Poisson and Gaussian (argument checks; the ops, with their derivatives, are in
:mod:`mlplab.ops.loss_likelihood`)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.loss_likelihood import GaussianNLLFn, MultiLabelSoftMarginFn, PoissonNLLFn, SoftMarginFn
from ...tensor import Tensor
from ._util import as_tensor, check_reduction, check_same_shape, float_input, loss_input, same_float


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    r"""Two-class logistic loss with labels y in {-1, 1}: l = log(1 + e^{-y x}), averaged over every
    element. The smooth form of the hinge max(0, 1 - y x)."""
    x, reduction = loss_input(input, size_average, reduce, reduction)
    x, t = same_float(x, target)
    check_same_shape(x, t, "soft_margin_loss")
    if t._requires_grad:
        raise RuntimeError(
            "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
            "This input cannot have requires_grad True."
        )
    return SoftMarginFn.apply(x, t._data, reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Multi-label logistic loss: for (N, C) logits and 0/1 targets,
    l_n = -(1/C) \sum_c w_c [y_c log \sigma(x_c) + (1 - y_c) log \sigma(-x_c)]: one independent
    sigmoid + BCE per label, averaged over the labels. ``weight``: one per class (broadcast)."""
    x, reduction = loss_input(input, size_average, reduce, reduction)
    x, t = same_float(x, target)
    check_same_shape(x, t, "multilabel_soft_margin_loss")
    w = None
    if weight is not None:
        w = as_tensor(weight, x)._data.astype(x._data.dtype, copy=False)
        try:
            np.broadcast_shapes(w.shape, x._data.shape)
        except ValueError:
            raise RuntimeError(
                f"multilabel_soft_margin_loss: weight of shape {tuple(w.shape)} does not broadcast to the "
                f"input's shape {tuple(x._data.shape)}"
            ) from None
    return MultiLabelSoftMarginFn.apply(x, t, w, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Poisson negative log-likelihood of counts y with rate \lambda (up to log y!):
    ``log_input=True`` (x = log \lambda): l = e^x - y x;  else (x = \lambda): l = x - y log(x + eps).
    ``full`` adds Stirling's approximation of log y! (y log y - y + log(2\pi y)/2, where y > 1)."""
    x, reduction = loss_input(input, size_average, reduce, reduction)
    x, t = same_float(x, target)
    check_same_shape(x, t, "poisson_nll_loss")
    return PoissonNLLFn.apply(x, t, bool(log_input), bool(full), float(eps), reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    r"""Gaussian negative log-likelihood of y under N(x, var): l = (log v + (x - y)^2 / v) / 2, with
    v = max(var, eps) (+ log(2\pi)/2 with ``full``). ``var``: a float, or a tensor of the input's
    shape (one variance per value), of its shape without the last dimension, or of its shape with
    one dimension of size 1 (a shared variance along that dimension)."""
    x = float_input(input)
    x, t = same_float(x, target)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = as_tensor(np.full(x._data.shape, var, dtype=x._data.dtype))
    else:
        v = as_tensor(var, x)
        if (v._data < 0).any():
            raise ValueError("var has negative entry/entries")
    xs, vs = x._data.shape, v._data.shape
    if vs != xs:
        if xs[:-1] == vs:
            v = v.unsqueeze(-1)
        elif not (len(xs) == len(vs) and sum(b for a, b in zip(xs, vs) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    check_reduction(reduction)
    x, v = same_float(x, v)
    t, v = same_float(t, v)
    return GaussianNLLFn.apply(x, t, v, bool(full), float(eps), reduction)


__all__ = ["gaussian_nll_loss", "multilabel_soft_margin_loss", "poisson_nll_loss", "soft_margin_loss"]
