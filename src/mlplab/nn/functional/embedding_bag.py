r"""``embedding_bag``: bags of indices (variable-length lists of categories) each reduced to one
vector by the sum, mean or max of their rows of ``weight``, without building the (N, L, D) tensor of
looked-up rows: PyTorch's argument checks (same messages), then
:class:`mlplab.ops.embedding.EmbeddingBagFn`."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import numpy as np

from ...ops.embedding import EmbeddingBagFn
from ...tensor import Tensor
from ._util import label_tensor
from .embedding import renorm_rows_

_MODES = ("sum", "mean", "max")


def _indices(t: Tensor, what: str = "indices") -> np.ndarray:
    a = label_tensor(t)._data
    if a.dtype not in (np.int64, np.int32):
        name = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double"}.get(a.dtype, str(a.dtype))
        raise RuntimeError(
            f"Expected tensor for argument #1 '{what}' to have one of the following scalar types: "
            f"Long, Int; but got torch.{name}Tensor instead (while checking arguments for embedding_bag)"
        )
    return a.astype(np.int64, copy=False)


def _bags(n: int, offsets: np.ndarray, include_last_offset: bool) -> tuple[np.ndarray, int, np.ndarray]:
    """(bag of each element, number of bags, the elements that belong to a bag) from ``offsets``."""
    if offsets.size and offsets[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
            f"position 0. However, got {offsets[0]}"
        )
    if offsets.size and offsets[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of {offsets[-1]}"
        )
    if np.any(np.diff(offsets) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {offsets.tolist()}")
    ends = offsets[1:] if include_last_offset else np.append(offsets[1:], n)
    starts = offsets[:-1] if include_last_offset else offsets
    n_bags = len(starts)
    bag = np.repeat(np.arange(n_bags), ends - starts)
    used = np.zeros(n, dtype=bool)
    used[: bag.size] = True
    return bag, n_bags, used


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    r"""One vector per bag of indices: y_b = reduce_{e in bag b} W[i_e] with reduce = ``mode``
    (sum, mean, max; sum may weight each element: y_b = \sum_e s_e W[i_e] with
    ``per_sample_weights``). A 2-D ``input`` (B, L) is B bags of L indices; a 1-D ``input`` is cut
    into bags at ``offsets`` (bag b = input[offsets[b]:offsets[b+1]], the last running to the end,
    or ending at the final offset with ``include_last_offset``). An empty bag gives zeros; indices
    equal to ``padding_idx`` are left out of their bag (and of its mean's count). For a 2-D input,
    ``embedding_bag(x, W, mode='sum')`` equals ``embedding(x, W).sum(1)``.

    ``scale_grad_by_freq`` divides each row's gradient by its index's count in the batch, as
    PyTorch documents it (torch 2.13's CPU kernel divides by other counts for repeated indices).
    ``sparse=True`` raises NotImplementedError: mlplab has no sparse gradients.
    """
    psw = per_sample_weights
    if psw is not None and tuple(input.shape) != tuple(psw.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights (torch.Size({list(psw.shape)})) is not None, "
            f"then it must have the same shape as the input (torch.Size({list(input.shape)}))"
        )
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                f"fixed length sequences. However, found offsets of type {type(offsets)}"
            )
        rows, length = input.shape
        offs = np.arange(0, rows * length, length) if length else np.zeros(rows, dtype=np.int64)
        include_last_offset = False
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = _indices(offsets)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError(
            "embedding_bag(sparse=True): mlplab has no sparse tensors, so it cannot return a sparse "
            "gradient; use sparse=False (the dense gradient has the same values)"
        )
    idx = _indices(input).reshape(-1)
    v = weight.shape[0]
    if padding_idx is not None:
        if not -v <= padding_idx < v:
            raise RuntimeError(
                f"padding_idx must be within the number of embeddings, -{v} through {v - 1}, "
                f"but got {padding_idx}"
            )
        padding_idx = padding_idx % v
    bad = np.nonzero((idx < 0) | (idx >= v))[0]
    if bad.size:
        raise RuntimeError(
            f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in the valid range [0, {v})"
        )
    if max_norm is not None:
        renorm_rows_(weight._data, idx, float(max_norm), float(norm_type))
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for "
            f"mode='sum' (got mode='{mode}'). Please open a feature request on GitHub."
        )
    if psw is not None and psw._data.dtype != weight._data.dtype:
        names = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double", np.dtype(np.float16): "Half"}
        w_name, p_name = (names.get(t._data.dtype, str(t._data.dtype)) for t in (weight, psw))
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
            f"'per_sample_weights'; but type torch.{w_name}Tensor does not equal torch.{p_name}Tensor "
            "(while checking arguments for embedding_bag)"
        )
    bag, n_bags, used = _bags(idx.size, offs, include_last_offset)
    if not used.all():  # elements after the last offset (include_last_offset) belong to no bag
        idx = idx[used]
        if psw is not None:
            psw = psw.reshape(-1)[Tensor._make(np.nonzero(used)[0])]
    elif psw is not None and psw._data.ndim != 1:  # as torch: a 1-D psw is passed as it is
        psw = psw.reshape(-1)
    return EmbeddingBagFn.apply(weight, psw, idx, bag, n_bags, mode, padding_idx, bool(scale_grad_by_freq))


__all__ = ["embedding_bag"]
