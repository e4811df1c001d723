r"""KL divergence loss ``kl_div`` (input = log Q, target = P): checks, then the op in
:mod:`mlplab.ops.information`."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

from ...ops.information import KLDivFn
from ...tensor import Tensor
from ._util import KL_REDUCTIONS, loss_input, same_float


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
    x, reduction = loss_input(input, size_average, reduce, reduction, KL_REDUCTIONS)
    x, t = same_float(x, target)
    if x._data.shape != t._data.shape:
        raise ValueError(
            f"kl_div: input shape {tuple(x._data.shape)} and target shape {tuple(t._data.shape)} differ"
        )
    return KLDivFn.apply(x, t, bool(log_target), reduction)
