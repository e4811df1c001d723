r"""Losses that compare two or three inputs: margin ranking, cosine embedding and triplet margin
(argument checks; the ops, with their derivatives, are in :mod:`mlplab.ops.loss_pair`)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

from ...ops.loss_pair import CosineEmbeddingFn, MarginRankingFn, TripletMarginFn
from ...tensor import Size, Tensor
from ._util import as_tensor, float_input, loss_input, same_float
from .distance import broadcast_shape


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Ranking hinge: l = max(0, -y (x_1 - x_2) + margin), y = 1 when x_1 should rank above x_2 and
    -1 when below; zero once the right one leads by ``margin``. Inputs broadcast."""
    x1, reduction = loss_input(input1, size_average, reduce, reduction)
    x1, x2 = same_float(x1, input2)
    x1, y = same_float(x1, target)
    x2, y = same_float(x2, y)
    s1, s2, sy = x1._data.shape, x2._data.shape, y._data.shape
    if not len(s1) == len(s2) == len(sy):
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {Size(s1)}, input2: {Size(s2)}, target: {Size(sy)} "
        )
    broadcast_shape(broadcast_shape(s1, s2, "margin_ranking_loss"), sy, "margin_ranking_loss")
    return MarginRankingFn.apply(x1, x2, y, float(margin), reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Cosine embedding loss: l = 1 - cos(x_1, x_2) for y = 1 (pull together), max(0, cos - margin)
    for y = -1 (push apart), cos taken along the last dimension of (N, D) or (D,) inputs."""
    x1, reduction = loss_input(input1, size_average, reduce, reduction)
    x1, x2 = same_float(x1, input2)
    t = as_tensor(target, x1)._data
    s1, s2 = x1._data.shape, x2._data.shape
    if t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.ndim == 1 and (len(s1) != 2 or len(s2) != 2):
        raise RuntimeError(
            f"1D target tensor expects 2D input tensors, but found inputs with sizes {list(s1)} "
            f"and {list(s2)}."
        )
    if t.ndim == 0 and (len(s1) != 1 or len(s2) != 1):
        raise RuntimeError(
            f"0D target tensor expects 1D input tensors, but found inputs with sizes {list(s1)} "
            f"and {list(s2)}."
        )
    shape = broadcast_shape(s1, s2, "cosine_embedding_loss")
    broadcast_shape(shape[:-1], t.shape, "cosine_embedding_loss")
    return CosineEmbeddingFn.apply(x1, x2, t, float(margin), reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Triplet loss: l = max(0, margin + d(a, p) - d(a, n)), d(u, v) = ||u - v + eps||_p along the last
    dimension: the anchor should be nearer the positive than the negative by ``margin``. ``swap``
    uses min(d(a, n), d(p, n)) as the negative distance (Balntas et al., 2016)."""
    a, reduction = loss_input(anchor, size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    pos, neg = float_input(positive, "positive"), float_input(negative, "negative")
    dims = [t._data.ndim for t in (a, pos, neg)]
    if not dims[0] == dims[1] == dims[2]:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D inputs"
        )
    a, pos = same_float(a, pos)
    a, neg = same_float(a, neg)
    pos, neg = same_float(pos, neg)
    shape = broadcast_shape(a._data.shape, pos._data.shape, "triplet_margin_loss")
    broadcast_shape(shape, neg._data.shape, "triplet_margin_loss")
    return TripletMarginFn.apply(a, pos, neg, float(margin), float(p), float(eps), bool(swap), reduction)


__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss"]
