r"""Margin losses: the multi-class hinge (SVM) loss, its multi-label form and the hinge embedding
loss (argument checks; the ops are in :mod:`mlplab.ops.loss_margin`)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.loss_margin import HingeEmbeddingFn, MultiLabelMarginFn, MultiMarginFn
from ...tensor import Tensor
from ._util import label_tensor, loss_input
from .classification import _arr, _check_range


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Multi-class hinge (SVM) loss: l_i = (1/C) \sum_{j \ne y_i} max(0, margin - x_{y_i} + x_j)^p.

    Zero once the true class's score beats every other by ``margin``; p is 1 or 2.
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 supported, got p={p}")
    target = label_tensor(target)
    xs = x._data.shape
    if x._data.ndim not in (1, 2) or xs[-1] == 0:
        raise ValueError(f"multi_margin_loss: expected non-empty 1-D or 2-D input, got shape {tuple(xs)}")
    c = xs[-1]
    n = xs[0] if x._data.ndim == 2 else 1
    t = target._data
    if t.dtype.kind not in "iu" or t.size != n or t.ndim > 1:
        raise ValueError(
            f"multi_margin_loss: target must hold {n} integer class labels (shape ({n},)), "
            f"got dtype {t.dtype} and shape {tuple(t.shape)}"
        )
    _check_range(t, c, -(10**18))
    w = _arr(weight, x._data.dtype)
    if w is not None and w.shape != (c,):
        raise ValueError(f"multi_margin_loss: weight must have shape ({c},), got {tuple(w.shape)}")
    return MultiMarginFn.apply(x, t, int(p), float(margin), w, reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Hinge embedding: l = x if y = 1, max(0, margin - x) if y = -1 (x typically a distance).

    Similar pairs (y = 1) are pulled to distance 0, dissimilar ones pushed beyond ``margin``.
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.shape != x._data.shape:
        raise ValueError(
            f"hinge_embedding_loss: input shape {tuple(x._data.shape)} and target shape "
            f"{tuple(t.shape)} differ"
        )
    return HingeEmbeddingFn.apply(x, t, float(margin), reduction)


_TORCH_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int", "int16": "Short"}


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Multi-label hinge loss: each row's target lists its labels, ended by the first -1;
    l = (1/C) \sum_{j \in labels} \sum_{i \notin labels} max(0, 1 - (x_j - x_i)).

    Zero once every label's score beats every other class's by 1.
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    target = label_tensor(target)
    xs, t = tuple(x._data.shape), target._data
    if x._data.ndim > 2 or (x._data.ndim and xs[-1] == 0):
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(xs)}"
        )
    if t.dtype != np.int64:
        raise RuntimeError(
            f"expected scalar type Long but found {_TORCH_TYPE.get(t.dtype.name, t.dtype.name)}"
        )
    if tuple(t.shape) != xs:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(xs)}")
    c = xs[-1] if xs else 1
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    return MultiLabelMarginFn.apply(x, t, reduction)
