r"""``embedding``: a lookup table of learnable vectors indexed by integers (categorical features,
tokens): argument checks and the optional max-norm renormalisation, then the op in
:mod:`mlplab.ops.embedding`."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import numpy as np

from ...ops.embedding import EmbeddingFn
from ...tensor import Tensor
from ._util import label_tensor


def check_padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    """``padding_idx`` made non-negative (PyTorch's AssertionError when out of range)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def renorm_rows_(weight: np.ndarray, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    r"""In place, rescale each row of ``weight`` that ``idx`` looks up whose ``norm_type``-norm exceeds
    ``max_norm`` to norm ``max_norm``: w <- w max_norm / (||w|| + 1e-7) (PyTorch's
    ``embedding_renorm_``; not recorded in the graph)."""
    rows = np.unique(idx)
    w = weight[rows]
    norms = np.linalg.norm(w.astype(np.float64), ord=norm_type, axis=1) if w.size else np.zeros(0)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(weight.dtype)
        weight[rows[big]] = w[big] * scale[:, None]


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    r"""y = W[i]: row i of ``weight`` (V, D) for each index in ``input`` (any shape), giving
    ``input.shape + (D,)``; it equals one_hot(i) @ W without building the one-hot matrix.

    ``padding_idx``: that row gets no gradient (a fixed pad vector). ``max_norm``: rows looked up
    whose ``norm_type``-norm exceeds it are first rescaled to it, in place. ``scale_grad_by_freq``:
    each gradient is divided by its index's count in the batch. Indices outside [0, V) raise
    IndexError, as PyTorch.
    """
    if sparse:
        raise RuntimeError(
            "embedding(sparse=True): mlplab has no sparse tensors, so it cannot return a sparse "
            "gradient; use sparse=False (the dense gradient has the same values)"
        )
    idx = label_tensor(input)._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {idx.dtype} instead (while checking arguments for embedding)"
        )
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    v = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= v):
        raise IndexError("index out of range in self")
    padding_idx = check_padding_idx(padding_idx, v)
    if max_norm is not None:
        renorm_rows_(w, idx, float(max_norm), float(norm_type))
    return EmbeddingFn.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))


__all__ = ["embedding"]
