r"""Layer functions: ``linear``, ``dropout``, ``batch_norm``, ``layer_norm``: argument checks (and
batch norm's running statistics), then one fused op each (:mod:`mlplab.ops.linear`, :mod:`mlplab.ops.dropout`,
:mod:`mlplab.ops.normalization`).
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import numpy as np

from ...ops.dropout import AffineMaskFn, MaskFn, alpha_dropout_arrays, dropout_mask
from ...ops.linear import LinearFn, LinearNoBiasFn
from ...ops.normalization import BatchNormFn, LayerNormFn
from ...tensor import Size, Tensor
from ._util import float_input


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
        return LinearNoBiasFn.apply(input, weight)
    if not isinstance(bias, Tensor):
        bias = Tensor._make(np.asarray(bias))  # a constant: no gradient is asked of it
    return LinearFn.apply(input, weight, bias)


def _check_p(p: float) -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    r"""Inverted dropout: in training, y_i = x_i m_i / (1 - p) with m_i ~ Bernoulli(1 - p), so
    E[y_i] = x_i and nothing needs rescaling at test time; identity when ``training`` is False.

    ``inplace=True`` writes the result into ``input`` and returns it, as PyTorch's dropout_.
    """
    p = _check_p(p)
    if not training or p == 0.0:
        return input
    x = input._data
    mask = dropout_mask(x.shape, p, x.dtype)
    if inplace:
        return input._apply_(lambda t: MaskFn.apply(t, mask))
    return MaskFn.apply(input, mask)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    r"""Alpha dropout, for SELU networks: in training, dropped units are set to SELU's saturation
    \alpha' = -1.7581 (not 0) and the result is rescaled and shifted so that inputs of zero mean and
    unit variance keep them; identity when ``training`` is False (the default here, as PyTorch)."""
    p = _check_p(p)
    if not training or p == 0.0:
        return input
    x = input._data
    a, c = alpha_dropout_arrays(x.shape, p, x.dtype)
    return AffineMaskFn.apply(input, a, c)


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


def _shape_list(shape: tuple) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def layer_norm(
    input: Tensor,
    normalized_shape: list[int] | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    r"""Layer normalisation over the trailing ``normalized_shape`` axes of each sample:
        y = (x - \mu) / \sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta,
    \mu and \sigma^2 (biased) taken over those axes, per sample; ``weight`` \gamma and ``bias`` \beta
    have the shape ``normalized_shape`` (optional). The same in training and evaluation.
    """
    if isinstance(normalized_shape, int) or not hasattr(normalized_shape, "__iter__"):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    ns = tuple(int(n) for n in normalized_shape)
    x = float_input(input)
    xs = x._data.shape
    if not ns:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
            "element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != ns:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{_shape_list(t._data.shape)} and normalized_shape = {_shape_list(ns)}"
            )
    for t in (weight, bias):
        if t is not None and t._data.dtype != x._data.dtype:
            raise RuntimeError(
                f"mixed dtype (CPU): layer_norm's input is {x.dtype.name} but its weight/bias "
                f"{t.dtype.name}; convert the input (.float()) or the module (.double())"
            )
    if len(xs) < len(ns) or tuple(xs[len(xs) - len(ns) :]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={_shape_list(ns)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in ns)}], but got input of size{_shape_list(xs)}"
        )
    return LayerNormFn.apply(x, weight, bias, float(eps), len(ns))


__all__ = ["alpha_dropout", "batch_norm", "dropout", "layer_norm", "linear"]
