r"""Multi-class losses: cross-entropy (fused log-softmax + NLL), NLL, and ``one_hot``.

Each is one ``Function``: its forward computes the loss, its backward the closed-form gradient,
e.g. softmax(x) - onehot(y) for cross-entropy instead of differentiating exp, sum, log, gather.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._util import (
    check_reduction,
    float_input,
    legacy_reduction,
    reduce_array,
    row_sum,
    same_float,
    shift_by_max,
)


def _arr(w: Any, dtype: np.dtype) -> np.ndarray | None:
    if w is None:
        return None
    a = w._data if isinstance(w, Tensor) else np.asarray(w)
    return a.astype(dtype, copy=False)


_max, _sum = np.maximum.reduce, np.add.reduce  # ndarray.max/sum without their Python layer
_STARTS: dict[tuple[int, int], np.ndarray] = {}


def _row_starts(n: int, c: int) -> np.ndarray:
    """0, c, 2c, ..., (n-1)c: where each row starts in a flattened (n, c) array (cached, read-only)."""
    a = _STARTS.get((n, c))
    if a is None:
        if len(_STARTS) > 64:
            _STARTS.clear()
        a = _STARTS[(n, c)] = np.arange(0, n * c, c)
        a.flags.writeable = False
    return a


def _to_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C): the class axis last, one row per prediction."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of :func:`_to_rows` for a gradient."""
    if len(shape) == 2:
        return g
    if len(shape) == 1:
        return g.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(g.reshape(moved), -1, 1)


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


class CrossEntropyFn(Function):
    r"""Cross-entropy of logits x (M rows, C classes) against labels t, log-softmax and NLL fused.

    With p = softmax(x_i), log p_{ic} = (x_{ic} - m_i) - log \sum_j e^{x_{ij} - m_i}:
        l_i = -(1 - \epsilon) w_{t_i} log p_{i t_i} - (\epsilon / C) \sum_c w_c log p_{ic}
    (\epsilon = label_smoothing, w = class weights or 1, l_i = 0 for ignored rows); 'mean' divides
    \sum l_i by \sum_i w_{t_i} over the kept rows. Gradient (per unit of l_i):
        dl_i/dx_i = (1 - \epsilon) w_{t_i} (p_i - onehot(t_i)) + (\epsilon / C)(p_i \sum_c w_c - w),
    which without weights is p_i - ((1-\epsilon) onehot(t_i) + \epsilon/C): softmax minus the target.
    """

    bw_name = "NllLossBackward0"

    def forward(self, x, t, weight, ignore_index, eps, reduction, has_ignored):
        self.shape = x.shape
        x2 = x if x.ndim == 2 else _to_rows(x)
        t1 = t if t.ndim == 1 else t.reshape(-1)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        se = row_sum(e)
        lse = np.log(se)
        keep = None
        if has_ignored:
            keep = t1 != ignore_index
            t1 = np.where(keep, t1, 0)
        idx = _row_starts(n, c) + t1  # flat positions of (i, t_i): cheaper than 2-D fancy indexing
        picked = s.ravel()[idx] - lse.ravel()  # log p_{i t_i}
        wt = None  # per-row weight w_{t_i} (times keep)
        if weight is not None:
            wt = weight[t1]
            if keep is not None:
                wt = wt * keep
        elif keep is not None:
            wt = keep.astype(x.dtype)
        loss = -picked if wt is None else -(wt * picked)
        if eps > 0:
            logp = s - lse
            smooth = -(logp.sum(axis=1) if weight is None else (logp * weight).sum(axis=1))
            if keep is not None:
                smooth = smooth * keep
            loss = (1 - eps) * loss + (eps / c) * smooth
        self.e, self.se, self.idx = e, se, idx
        self.wt, self.keep, self.weight, self.eps, self.red = wt, keep, weight, eps, reduction
        out_shape = t.shape
        if reduction == "none":
            return loss.reshape(out_shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if wt is None else wt.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        p = self.e / self.se
        wt, eps, weight = self.wt, self.eps, self.weight
        red = self.red
        if red == "none":
            gi = g.reshape(-1, 1)
        elif red == "sum":
            gi = g
        else:
            gi = g / self.den
        idx = self.idx
        c = p.shape[1]
        if eps > 0:
            # smoothing term (eps/C) (p \sum w - w), then the NLL term scaled by (1 - eps)
            if weight is None:
                sm = (eps / c) * (p * c - 1)
            else:
                sm = (eps / c) * (p * weight.sum() - weight)
            if self.keep is not None:
                sm = sm * self.keep[:, None]
        if wt is None:
            grad = p * (1 - eps) if eps > 0 else p  # p is a fresh array: safe to edit in place
            grad.reshape(-1)[idx] -= 1 - eps
        else:
            grad = p * (wt[:, None] * (1 - eps))
            grad.reshape(-1)[idx] -= (1 - eps) * wt
        if eps > 0:
            grad += sm
        grad *= gi
        return grad if len(self.shape) == 2 else _from_rows(grad, self.shape)


class CrossEntropyProbFn(Function):
    r"""Cross-entropy against class probabilities y: l_i = -\sum_c w_c y_{ic} log p_{ic}.

    (label smoothing replaces y by (1 - \epsilon) y + \epsilon / C before the fact.)
    dl_i/dx_i = p_i \sum_c w_c y_{ic} - w \odot y_i,  dl_i/dy_i = -w \odot log p_i.
    'mean' divides by the number of rows (not by the weights), as PyTorch.
    """

    bw_name = "DivBackward1"

    def forward(self, x, y, weight, eps, reduction):
        self.shape = x.shape
        x2 = _to_rows(x)
        y2 = _to_rows(y)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        se = row_sum(e)
        logp = s - np.log(se)
        if eps > 0:
            y2 = y2 * (1 - eps) + eps / c
        wy = y2 if weight is None else y2 * weight
        loss = -(wy * logp).sum(axis=1)
        self.p, self.wy, self.logp, self.weight, self.eps, self.red, self.n = (
            e / se,
            wy,
            logp,
            weight,
            eps,
            reduction,
            n,
        )
        if reduction == "none":
            return loss.reshape(x.shape[:1] + x.shape[2:]) if x.ndim > 1 else loss.reshape(())
        return reduce_array(loss, reduction)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1, 1) if red == "none" else (g / self.n if red == "mean" else g)
        gx = gy = None
        if self.needs[0]:
            gx = _from_rows((self.p * self.wy.sum(axis=1, keepdims=True) - self.wy) * gi, self.shape)
        if self.needs[1]:
            lw = self.logp if self.weight is None else self.logp * self.weight
            gy = -lw * gi
            if self.eps > 0:
                gy = gy * (1 - self.eps)
            gy = _from_rows(gy, self.shape)
        return gx, gy


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
        and isinstance(input, Tensor)
        and isinstance(target, Tensor)
    ):
        # the training-loop case, (N, C) logits and in-range labels, checked with the fewest calls:
        # seen as unsigned, a negative label is huge, so one max checks 0 <= label < C
        xa, ta = input._data, target._data
        if xa.ndim == 2 and ta.ndim == 1 and ta.size and xa.dtype.kind == "f" and ta.dtype.kind in "iu":
            c = xa.shape[1]
            u = ta if ta.dtype.kind == "u" else ta.view(f"u{ta.dtype.itemsize}")
            if ta.shape[0] == xa.shape[0] and int(_max(u, None)) < c and not 0 <= ignore_index < c:
                return CrossEntropyFn.apply1(input, ta, None, ignore_index, 0.0, "mean", False)
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = float_input(input)
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
    if not isinstance(target, Tensor):
        target = Tensor._make(np.asarray(target))
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


class NLLLossFn(Function):
    r"""Negative log-likelihood of log-probabilities a: l_i = -w_{t_i} a_{i t_i} (0 if ignored).

    'mean' divides by \sum_i w_{t_i} over kept rows. dl_i/da_{ic} = -w_{t_i} [c = t_i].
    """

    bw_name = "NllLossBackward0"

    def forward(self, a, t, weight, ignore_index, reduction, has_ignored):
        self.shape = a.shape
        a2 = _to_rows(a)
        t1 = t.reshape(-1)
        n = a2.shape[0]
        rows = np.arange(n)
        keep = None
        if has_ignored:
            keep = t1 != ignore_index
            t1 = np.where(keep, t1, 0)
        wt = None
        if weight is not None:
            wt = weight[t1] if keep is None else weight[t1] * keep
        elif keep is not None:
            wt = keep.astype(a.dtype)
        picked = a2[rows, t1]
        loss = -picked if wt is None else -(wt * picked)
        self.t1, self.rows, self.wt, self.red, self.n2 = t1, rows, wt, reduction, a2.shape
        if reduction == "none":
            return loss.reshape(t.shape)
        total = _sum(loss)
        if reduction == "sum":
            return np.asarray(total)
        self.den = den = n if wt is None else wt.sum()
        return np.asarray(total / den if den else total * np.nan)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1) if red == "none" else (g / self.den if red == "mean" else g)
        grad = np.zeros(self.n2, dtype=g.dtype)
        grad[self.rows, self.t1] = -gi if self.wt is None else -(gi * self.wt)
        return _from_rows(grad, self.shape)


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
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = float_input(input)
    if not isinstance(target, Tensor):
        target = Tensor._make(np.asarray(target))
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
