r"""KL divergence loss ``kl_div`` (input = log Q, target = P), one ``Function``."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

from ...ops.loss import KLDivFn
from ...tensor import Tensor
from ._util import check_reduction, float_input, legacy_reduction, same_float


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    r"""KL divergence D(P || Q) = \sum P log(P / Q), with ``input`` = log Q and ``target`` = P
    (or log P when ``log_target``). reduction='batchmean' (\sum / N) gives the true KL per sample;
    'mean' divides by every element, which is not the KL (PyTorch keeps it as the default).
    Input and target shapes must match (PyTorch broadcasts).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    x, t = same_float(float_input(input), target)
    if x._data.shape != t._data.shape:
        raise ValueError(
            f"kl_div: input shape {tuple(x._data.shape)} and target shape {tuple(t._data.shape)} differ"
        )
    return KLDivFn.apply(x, t, bool(log_target), reduction)
