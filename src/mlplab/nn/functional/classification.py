r"""Classification losses: cross-entropy (fused log-softmax + NLL), NLL, binary cross-entropy
(on probabilities and on logits), KL divergence, multi-class hinge and hinge embedding.

Each is one ``Function``: its forward computes the loss, its backward the closed-form gradient,
e.g. softmax(x) - onehot(y) for cross-entropy instead of differentiating exp, sum, log, gather.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.unary import stable_sigmoid
from ...tensor import Tensor
from ._util import (
    check_reduction,
    float_input,
    legacy_reduction,
    reduce_array,
    reduce_grad,
    row_sum,
    same_float,
    shift_by_max,
)


def _arr(w: Any, dtype: np.dtype) -> np.ndarray | None:
    if w is None:
        return None
    a = w._data if isinstance(w, Tensor) else np.asarray(w)
    return a.astype(dtype, copy=False)


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
        x2 = _to_rows(x)
        t1 = t.reshape(-1)
        n, c = x2.shape
        s = shift_by_max(x2, 1)
        e = np.exp(s)
        se = row_sum(e)
        lse = np.log(se)
        keep = None
        if has_ignored:
            keep = t1 != ignore_index
            t1 = np.where(keep, t1, 0)
        idx = np.arange(0, n * c, c) + t1  # flat positions of (i, t_i): cheaper than 2-D fancy indexing
        picked = s.reshape(-1)[idx] - lse.reshape(-1)  # log p_{i t_i}
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
        total = loss.sum()
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
        return _from_rows(grad, self.shape)


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
        # the training-loop case, (N, C) logits and in-range labels, checked with the fewest calls
        xa, ta = input._data, target._data
        if xa.ndim == 2 and ta.ndim == 1 and ta.size and xa.dtype.kind == "f" and ta.dtype.kind in "iu":
            lo, hi = int(ta.min()), int(ta.max())
            if ta.shape[0] == xa.shape[0] and lo >= 0 and hi < xa.shape[1] and not lo <= ignore_index <= hi:
                return CrossEntropyFn.apply(input, ta, None, ignore_index, 0.0, "mean", False)
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
        total = loss.sum()
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


_EPS = 1e-12


class BCEFn(Function):
    r"""l = -w [y max(log x, -100) + (1 - y) max(log(1 - x), -100)]  (x in [0, 1]).

    dl/dx = w (x - y) / max(x (1 - x), 1e-12)  (PyTorch's guard keeps x = 0 or 1 finite);
    dl/dy = w [log(1 - x) - log x] = -w logit(x)  (unclamped, as PyTorch).
    """

    bw_name = "BinaryCrossEntropyBackward0"

    def forward(self, x, y, w, reduction):
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(x), -100)
            l1x = np.maximum(np.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        if w is not None:
            loss = loss * w
        self.x, self.y, self.w, self.red = x, y, w, reduction
        self.n = loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        x, y, w = self.x, self.y, self.w
        g = reduce_grad(g, x.shape, self.n, self.red)
        if w is not None:
            g = g * w
        gx = gy = None
        if self.needs[0]:
            gx = g * (x - y) / np.maximum((1 - x) * x, _EPS)
        if self.needs[1]:
            # -logit(x), unclamped as PyTorch: infinite at x = 0 or 1
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * (np.log1p(-x) - np.log(x))
        return gx, gy


def _bin_target(x: Tensor, target: Any, fn: str) -> tuple[Tensor, Tensor]:
    x, t = same_float(x, target)
    if t._data.shape != x._data.shape:
        raise ValueError(
            f"Using a target size ({t.shape}) that is different to the input size ({x.shape}) is "
            f"deprecated. Please ensure they have the same size."
        )
    return x, t


def _weight_like(w: Any, x: Tensor, name: str) -> np.ndarray | None:
    a = _arr(w, x._data.dtype)
    if a is None:
        return None
    try:
        np.broadcast_shapes(a.shape, x._data.shape)
    except ValueError:
        raise RuntimeError(
            f"{name} of shape {tuple(a.shape)} does not broadcast to the input shape {tuple(x._data.shape)}"
        ) from None
    return a


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    r"""BCE on probabilities: L = -(1/n) \sum [y_i log x_i + (1 - y_i) log(1 - x_i)].

    ``input`` must already be probabilities (e.g. sigmoid output); values outside [0, 1] raise.
    Each log is clamped at -100 as PyTorch does, so x = 0 or 1 gives a finite loss (100 per wrong
    element). ``weight`` (broadcastable) rescales each element.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x, t = _bin_target(float_input(input), target, "binary_cross_entropy")
    xa = x._data
    if xa.size and not (xa.min() >= 0 and xa.max() <= 1):  # NaN fails both tests too
        bad = xa[~((xa >= 0) & (xa <= 1))].flat[0]
        raise RuntimeError(
            f"all elements of input should be between 0 and 1: binary_cross_entropy takes "
            f"probabilities, found {float(bad):.6g}; apply sigmoid first or use "
            f"binary_cross_entropy_with_logits"
        )
    w = _weight_like(weight, x, "binary_cross_entropy: weight")
    return BCEFn.apply(x, t, w, reduction)


class BCEWithLogitsFn(Function):
    r"""BCE on logits z, with pos_weight q and weight w (lw = 1 + (q - 1) y):
        l = w [(1 - y) z + lw softplus(-z)],  softplus(-z) = log(1 + e^{-|z|}) + max(-z, 0)
    (never exponentiates a positive number, so z = +-1000 is exact).
        dl/dz = w [lw sigma(z) - q y]  (= w (sigma(z) - y) without pos_weight),
        dl/dy = w [-z + (q - 1) softplus(-z)].
    """

    bw_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, z, y, w, q, reduction):
        sp = np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
        if q is None:
            loss = (1 - y) * z + sp
        else:
            loss = (1 - y) * z + (1 + (q - 1) * y) * sp
        if w is not None:
            loss = loss * w
        self.z, self.y, self.w, self.q, self.sp, self.red, self.n = z, y, w, q, sp, reduction, loss.size
        return reduce_array(loss, reduction)

    def backward(self, g):
        z, y, w, q = self.z, self.y, self.w, self.q
        g = reduce_grad(g, z.shape, self.n, self.red)
        if w is not None:
            g = g * w
        gz = gy = None
        if self.needs[0]:
            s = stable_sigmoid(z)
            gz = g * (s - y) if q is None else g * ((1 + (q - 1) * y) * s - q * y)
        if self.needs[1]:
            gy = g * (-z) if q is None else g * (-z + (q - 1) * self.sp)
        return gz, gy


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    r"""Sigmoid + BCE in one stable step: l = -w [q y log \sigma(z) + (1 - y) log(1 - \sigma(z))].

    ``pos_weight`` q (broadcast along the last, class, dimension) weighs positive examples: q > 1
    raises recall. Gradient w.r.t. the logit: \sigma(z) - y (without weights).
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x, t = _bin_target(float_input(input), target, "binary_cross_entropy_with_logits")
    w = _weight_like(weight, x, "binary_cross_entropy_with_logits: weight")
    q = _weight_like(pos_weight, x, "binary_cross_entropy_with_logits: pos_weight")
    return BCEWithLogitsFn.apply(x, t, w, q, reduction)


class KLDivFn(Function):
    r"""Pointwise KL term for log-probabilities a and target y:
    log_target=False: l = y (log y - a)  (0 where y = 0);  dl/da = -y,  dl/dy = log y + 1 - a.
    log_target=True:  l = e^y (y - a);                      dl/da = -e^y, dl/dy = e^y (y - a + 1).
    """

    bw_name = "DivBackward0"

    def forward(self, a, y, log_target, reduction):
        if log_target:
            self.ey = ey = np.exp(y)
            loss = ey * (y - a)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.logy = logy = np.where(y > 0, np.log(np.where(y > 0, y, 1)), 0)
            loss = np.where(y > 0, y * logy, 0) - y * a
        self.a, self.y, self.lt, self.red, self.n0 = a, y, log_target, reduction, a.shape[0] if a.ndim else 1
        if reduction == "batchmean":
            return np.asarray(loss.sum() / self.n0)
        return reduce_array(loss, reduction)

    def backward(self, g):
        a, y, red = self.a, self.y, self.red
        if red == "batchmean":
            g = g / self.n0
        else:
            g = reduce_grad(g, a.shape, a.size, red)
        ga = gy = None
        if self.lt:
            if self.needs[0]:
                ga = -g * self.ey
            if self.needs[1]:
                gy = g * (self.ey * (y - a + 1))
        else:
            if self.needs[0]:
                ga = -g * y
            if self.needs[1]:
                with np.errstate(divide="ignore"):
                    gy = g * (np.log(y) + 1 - a)
        return ga, gy


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


class MultiMarginFn(Function):
    r"""Multi-class hinge: l_i = (1/C) \sum_{j \ne y_i} w_{y_i} max(0, m - x_{i y_i} + x_{ij})^p.

    With h_{ij} = m - x_{i y_i} + x_{ij} > 0: dl_i/dx_{ij} = w_{y_i} p h^{p-1} / C for j != y_i,
    and dl_i/dx_{i y_i} = -\sum_{j \ne y_i} of the same.
    """

    bw_name = "MultiMarginLossBackward0"

    def forward(self, x, t, p, margin, weight, reduction):
        self.shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        n, c = x2.shape
        rows = np.arange(n)
        t1 = t.reshape(-1)
        h = margin - x2[rows, t1][:, None] + x2
        h[rows, t1] = 0
        act = h > 0
        hp = np.where(act, h, 0)
        if p == 2:
            hp = hp * hp
        if weight is not None:
            hp = hp * weight[t1][:, None]
        loss = hp.sum(axis=1) / c
        self.h, self.act, self.t1, self.rows, self.p, self.w, self.red, self.n = (
            h,
            act,
            t1,
            rows,
            p,
            weight,
            reduction,
            n,
        )
        if reduction == "none":
            return loss.reshape(t.shape)  # (N,), or the target's () / (1,) for 1-D input
        return reduce_array(loss, reduction)

    def backward(self, g):
        red = self.red
        gi = g.reshape(-1, 1) if red == "none" else (g / self.n if red == "mean" else g)
        c = self.h.shape[1]
        d = self.act * (2 * self.h if self.p == 2 else 1.0)
        if self.w is not None:
            d = d * self.w[self.t1][:, None]
        d = (d * (gi / c)).astype(self.h.dtype, copy=False)
        d[self.rows, self.t1] = -d.sum(axis=1)
        return d.reshape(self.shape)


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
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 supported, got p={p}")
    x = float_input(input)
    if not isinstance(target, Tensor):
        target = Tensor._make(np.asarray(target))
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


class HingeEmbeddingFn(Function):
    r"""l = x where y = 1;  max(0, m - x) where y = -1  (both terms for other y values, as PyTorch).

    dl/dx = [y != -1] - [y != 1][m - x >= 0].
    """

    bw_name = "MeanBackward0"

    def forward(self, x, y, margin, reduction):
        mc = np.maximum(margin - x, 0)
        loss = np.where(y != 1, mc, 0) + np.where(y != -1, x, 0)
        self.d = (y != -1).astype(x.dtype) - ((y != 1) & (margin - x >= 0)).astype(x.dtype)
        self.red, self.n = reduction, x.size
        return reduce_array(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        return reduce_grad(g, self.d.shape, self.n, self.red) * self.d


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
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = float_input(input)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.shape != x._data.shape:
        raise ValueError(
            f"hinge_embedding_loss: input shape {tuple(x._data.shape)} and target shape "
            f"{tuple(t.shape)} differ"
        )
    return HingeEmbeddingFn.apply(x, t, float(margin), reduction)


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
