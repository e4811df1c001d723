r"""Multi-class losses: cross-entropy (fused log-softmax + NLL), NLL, and ``one_hot``.

These check the arguments (target shapes, label range, weights) and call one op each in
:mod:`mlplab.ops.classification`, whose backward is the closed-form gradient, e.g.
softmax(x) - onehot(y) for cross-entropy.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.classification import CrossEntropyFn, CrossEntropyLabelsFn, CrossEntropyProbFn, NLLLossFn
from ...tensor import Tensor
from ._util import label_tensor, loss_input, same_float

_max = np.maximum.reduce  # ndarray.max without its Python layer
_SHORT = 32  # up to this many labels, Python max over .tolist() is faster than a NumPy reduction
# the unsigned dtype of each integer width (a label seen as unsigned: negative ones become huge)
_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16), 4: np.dtype(np.uint32), 8: np.dtype(np.uint64)}


def _arr(w: Any, dtype: np.dtype) -> np.ndarray | None:
    if w is None:
        return None
    a = w._data if isinstance(w, Tensor) else np.asarray(w)
    return a.astype(dtype, copy=False)


def _check_class_target(input: Tensor, target: Tensor, fn: str) -> None:
    xs, ts = input._data.shape, target._data.shape
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"{fn}: class-index targets must be an integer tensor (e.g. torch.long), got dtype "
            f"{target.dtype.name}; for class probabilities pass a float target of the input's shape "
            f"{tuple(xs)}"
        )
    if len(xs) == 0:
        raise ValueError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    if len(xs) == 1:
        if ts != ():
            raise ValueError(
                f"{fn}: for 1-D input of {xs[0]} classes the target must be 0-d, got {tuple(ts)}"
            )
        return
    if len(xs) == 2 and (len(ts) != 1 or ts[0] != xs[0]):
        if len(ts) == 1:
            raise ValueError(f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0]}).")
        raise ValueError(
            f"{fn}: for input of shape {tuple(xs)} the target must have shape ({xs[0]},), got {tuple(ts)}"
        )
    if len(xs) > 2 and ts != xs[:1] + xs[2:]:
        raise ValueError(f"Expected target size {list(xs[:1] + xs[2:])}, got {list(ts)}")


def _check_range(t: np.ndarray, c: int, ignore_index: int) -> bool:
    """Raise for labels outside [0, C) (other than ignore_index); return whether any is ignored."""
    if t.size == 0:
        return False
    lo, hi = int(t.min()), int(t.max())
    if lo >= 0 and hi < c:
        return lo <= ignore_index <= hi and bool((t == ignore_index).any())
    bad = t[(t != ignore_index) & ((t < 0) | (t >= c))]
    if bad.size:
        raise IndexError(
            f"Target {int(bad.flat[0])} is out of bounds: class labels must lie in [0, {c}) for input "
            f"with C={c} classes"
        )
    return True


def plain_labels(input: Any, target: Any, ignore_index: int) -> bool:
    """Whether ``cross_entropy(input, target)`` is the training loop's case that
    ``CrossEntropyLabelsFn`` computes alone: Tensors, (N, C) float logits, N >= 1 integer labels all
    in [0, C), and an ``ignore_index`` outside [0, C) (so no row is ignored). The caller checks
    the options (no weight, no smoothing, 'mean'). Anything else (out-of-range labels included)
    is False, and the general path checks it and raises its errors.

    The range is checked with the fewest calls: seen as unsigned, a negative label is huge, so one
    max checks 0 <= label < C (over a short batch, Python's max of the list: a NumPy reduction
    costs ~1.5 us whatever its size; one label is read as a Python int).
    """
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        return False
    xa, ta = input._data, target._data
    if xa.ndim != 2 or ta.ndim != 1 or xa.dtype.kind != "f" or ta.dtype.kind not in "iu":
        return False
    n, c = ta.shape[0], xa.shape[1]
    if n != xa.shape[0] or not n or 0 <= ignore_index < c:
        return False
    if n == 1:
        return 0 <= ta.item() < c
    u = ta if ta.dtype.kind == "u" else ta.view(_UNSIGNED[ta.dtype.itemsize])
    return (max(u.tolist()) if n <= _SHORT else int(_max(u, None))) < c


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    r"""Cross-entropy of raw logits: L = -(1/N) \sum_i log softmax(x_i)_{y_i} = log-softmax then NLL.

    ``input``: (N, C), (C,) or (N, C, d1, ...) logits (no softmax before it: it is built in);
    ``target``: class indices in [0, C) of shape (N,) / () / (N, d1, ...), or class probabilities
    of the input's shape. ``weight`` (C,) rescales classes ('mean' then divides by the summed
    weights of the targets), rows whose label equals ``ignore_index`` contribute nothing, and
    ``label_smoothing`` \epsilon mixes the target with the uniform distribution:
    (1 - \epsilon) onehot + \epsilon / C. The gradient is softmax(x) - target (scaled), in one node.
    """
    if (
        weight is None
        and not label_smoothing
        and reduction == "mean"
        and size_average is None
        and reduce is None
        and plain_labels(input, target, ignore_index)
    ):
        return CrossEntropyLabelsFn.apply(input, target._data)
    x, reduction = loss_input(input, size_average, reduce, reduction)
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps}")
    c = x._data.shape[1] if x._data.ndim >= 2 else (x._data.shape[0] if x._data.ndim else 0)
    w = _arr(weight, x._data.dtype)
    if w is not None and w.shape != (c,):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {c} classes or no "
            f"classes but got weight tensor of shape: {list(w.shape)}"
        )
    target = label_tensor(target)
    if target._data.dtype.kind == "f":
        if target._data.shape != x._data.shape:
            raise RuntimeError(
                f"cross_entropy: a float target holds class probabilities and must have the input's "
                f"shape {tuple(x._data.shape)}, got {tuple(target._data.shape)}; class indices must be "
                f"an integer (long) tensor"
            )
        x, target = same_float(x, target)
        return CrossEntropyProbFn.apply(x, target, w, eps, reduction)
    _check_class_target(x, target, "cross_entropy")
    has_ignored = _check_range(target._data, c, int(ignore_index))
    return CrossEntropyFn.apply(x, target._data, w, int(ignore_index), eps, reduction, has_ignored)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""NLL: L = -(1/N) \sum_i a_{i, y_i} for log-probabilities a (e.g. log_softmax output).

    cross_entropy(x, y) == nll_loss(log_softmax(x, 1), y). ``weight``/``ignore_index`` as there.
    """
    x, reduction = loss_input(input, size_average, reduce, reduction)
    target = label_tensor(target)
    _check_class_target(x, target, "nll_loss")
    c = x._data.shape[1] if x._data.ndim >= 2 else x._data.shape[0]
    w = _arr(weight, x._data.dtype)
    if w is not None and w.shape != (c,):
        raise RuntimeError(
            f"nll_loss: weight tensor should be defined either for all {c} classes or no "
            f"classes but got weight tensor of shape: {list(w.shape)}"
        )
    has_ignored = _check_range(target._data, c, int(ignore_index))
    return NLLLossFn.apply(x, target._data, w, int(ignore_index), reduction, has_ignored)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) to a one-hot int64 tensor with a new last axis of ``num_classes``
    (inferred as max + 1 when -1). Not differentiable, as in PyTorch."""
    t = tensor._data
    if t.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise RuntimeError(f"Class values must be non-negative and smaller than num_classes={num_classes}.")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, t[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._make(out)
