r"""Loss modules that compare two or three inputs: ``MarginRankingLoss``, ``CosineEmbeddingLoss``
(called as ``criterion(x1, x2, y)``) and ``TripletMarginLoss`` (``criterion(anchor, positive,
negative)``); the formulas are in :mod:`mlplab.nn.functional.pair`."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .functional._util import check_reduction, legacy_reduction
from .module import Module

__all__ = ["CosineEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss"]


class _PairLoss(Module):
    def __init__(self, size_average: Any, reduce: Any, reduction: str) -> None:
        super().__init__()
        self.reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))


class MarginRankingLoss(_PairLoss):
    """max(0, -y (x1 - x2) + margin), y in {1, -1}, averaged (margin = 0)."""

    def __init__(
        self, margin: float = 0.0, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_PairLoss):
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, averaged (margin = 0)."""

    def __init__(
        self, margin: float = 0.0, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_PairLoss):
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm distance (margin = 1, p = 2, eps = 1e-6)."""

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, reduction=self.reduction
        )
