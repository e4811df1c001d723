r"""Losses of K perturbed copies for :mod:`mlplab.train.numgrad`: the general path through the loss's
own ``per_sample``, and two shortcuts for softmax cross-entropy (the notes' loss)

    l_n = log sum_c e^{z_nc} - z_{n y_n}

evaluated with each row shifted by the unperturbed row's maximum m_n (the shift cancels exactly
in l_n, and keeps every exp in range however large the logits):

* :func:`cross_entropy_rank_one` - the copies' logits are z + (a'_j - a_j) W[:, j]^T, built
  already shifted in one pass, exponentiated in place: no (K, N, C) array is allocated.
* :func:`cross_entropy_one_column` - the copies differ from the unperturbed logits in one column
  j only (a parameter of the last layer): sum_c e^{z'_nc - m_n} = S_n - e^{z_nj - m_n} +
  e^{z'_nj - m_n}, O(N) per copy instead of O(N C).

Both fall back to the general path (return None) when a perturbation is so large that the
unperturbed maxima would not keep the exponentials in range.
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .losses import LossSpec
from .numgrad_forward import Batch

_SAFE = 300.0  # |z' - m| below this: e^{z' - m} neither overflows nor underflows to zero


def losses(spec: LossSpec, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The loss of each of K copies: ``out`` (K, N, ...) -> (K,), the mean of the per-sample losses."""
    k, n = out.shape[0], out.shape[1]
    if spec.task == "regression":
        y_rep = np.tile(np.asarray(y, dtype=np.float64).reshape(n, -1), (k, 1))
    else:
        y_rep = np.tile(y, (k,) + (1,) * (y.ndim - 1))
    with no_grad():
        per = spec.per_sample(Tensor._make(out.reshape(k * n, -1)), Tensor._make(y_rep))._data
    return per.reshape(k, -1).mean(axis=1)


def plain_cross_entropy(spec: LossSpec, batch: Batch, y: np.ndarray) -> bool:
    """Whether the shortcuts apply: softmax cross-entropy on (N, C) logits with (N,) labels (which
    the library's cross_entropy has checked on the unperturbed output)."""
    return spec.name == "cross_entropy" and y.ndim == 1 and batch.acts[-1].ndim == 2


def _row_max(batch: Batch) -> np.ndarray:
    if "m" not in batch.cache:
        z = batch.acts[-1]
        m = z.max(axis=1)
        e = np.exp(z - m[:, None])
        batch.cache.update(m=m, e=e, s=e.sum(axis=1))
    return batch.cache["m"]


def cross_entropy_rank_one(
    batch: Batch, i: int, c: np.ndarray, cols: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """Mean cross-entropy of each copy when the last layer ``i`` (a Linear) gets inputs that differ
    from ``acts[i]`` in column ``cols[k]`` only (that column is ``c[k]``)."""
    m = _row_max(batch)
    w = batch.p64[id(batch.mods[i].weight)]
    if np.abs(c - batch.acts[i][:, cols].T).max() * np.abs(w).max() > _SAFE:
        return None
    zt = batch.rank_one(i, c, cols, shift=m)  # (K, C, N): z'_nc - m_n
    n = zt.shape[2]
    picked = zt[:, y, np.arange(n)]  # (K, N): z'_{n y_n} - m_n
    np.exp(zt, out=zt)
    total = zt[:, 0, :].copy()
    for k in range(1, zt.shape[1]):  # sum over the classes: C adds of contiguous (K, N) slices
        total += zt[:, k, :]
    return (np.log(total) - picked).mean(axis=1)


def cross_entropy_one_column(
    batch: Batch, c: np.ndarray, cols: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """Mean cross-entropy of each copy whose logits differ from the unperturbed ones in column
    ``cols[k]`` only, which is ``c[k]`` (K, N)."""
    m = _row_max(batch)
    e, s = batch.cache["e"], batch.cache["s"]
    shifted = c - m
    if np.abs(shifted).max() > _SAFE:
        return None
    total = s - e[:, cols].T + np.exp(shifted)
    z = batch.acts[-1]
    n = z.shape[0]
    base_picked = z[np.arange(n), y] - m
    picked = np.where(y[None, :] == cols[:, None], shifted, base_picked)
    return (np.log(total) - picked).mean(axis=1)


SERIES_ORDER = 6  # terms of the cumulant series below
SERIES_RADIUS = 1e-2  # it is used only while range(W[:, j]) * max_n |t_n| stays below this


def _cumulant_coefficients(batch: Batch, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the last layer ``i`` (a Linear with weight W, out x in): kappa_r(n, j) / r!, the
    cumulants of w = W[:, j] under the unperturbed softmax p_n, as (SERIES_ORDER, in, N); the
    range of each column W[:, j]; and W[y_n, j] as (in, N)."""
    key = f"series{i}"
    if key not in batch.cache:
        w = batch.p64[id(batch.mods[i].weight)]  # (C, J)
        z = batch.acts[-1]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        mean = p @ w  # (N, J): E_p[w]
        dev = w[None, :, :] - mean[:, None, :]  # (N, C, J)
        mu, power = {}, dev * p[:, :, None]  # p_nc dev^r, one multiply per order
        for r in range(2, SERIES_ORDER + 1):
            power *= dev
            mu[r] = power.sum(axis=1)  # (N, J): the r-th central moment
        kappa = [
            mean,
            mu[2],
            mu[3],
            mu[4] - 3 * mu[2] ** 2,
            mu[5] - 10 * mu[3] * mu[2],
            mu[6] - 15 * mu[4] * mu[2] - 10 * mu[3] ** 2 + 30 * mu[2] ** 3,
        ]
        fact = np.cumprod(np.arange(1, SERIES_ORDER + 1, dtype=np.float64))
        coef = np.stack([k.T / f for k, f in zip(kappa, fact)])  # (R, J, N), contiguous in N
        batch.cache[key] = coef
        batch.cache[key + "range"] = w.max(axis=0) - w.min(axis=0)
        batch.cache[key + "picked"] = np.ascontiguousarray(w[batch.cache["y"]].T)
    return batch.cache[key], batch.cache[key + "range"], batch.cache[key + "picked"]


def cross_entropy_series(
    batch: Batch, i: int, c: np.ndarray, cols: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """Mean cross-entropy of each copy, up to one constant shared by all copies, when the last
    layer ``i`` (a Linear) gets inputs that differ from ``acts[i]`` in column ``j = cols[k]``
    only, by t_n = c[k, n] - a_nj. The logits move along w = W[:, j]: z'_n = z_n + t_n w, so

        l_n(t) - l_n(0) = log E_{p_n}[e^{t w}] - t w_{y_n} = sum_{r>=1} kappa_r t^r / r! - t w_{y_n}

    (log E[e^{t w}] is the cumulant generating function of w under the unperturbed softmax p_n;
    kappa_r are its cumulants). The series is summed to order 6 by Horner's rule: O(N) per copy
    instead of N C exponentials. For a w with range R, |kappa_r| grows no faster than about
    (r - 1)! (R / pi)^r, so with R |t| <= 1e-2 the first omitted term is below 1e-18 of the
    loss, under float64 rounding; larger perturbations return None (the exact path). The excess
    over l_n(0) is what is formed, so the difference of two copies loses nothing to cancellation
    against the loss itself."""
    batch.cache.setdefault("y", y)
    coef, spread, w_y = _cumulant_coefficients(batch, i)
    t = c - batch.acts[i][:, cols].T  # (K, N)
    if not (spread[cols] * np.abs(t).max(axis=1) <= SERIES_RADIUS).all():
        return None
    acc = coef[-1][cols] * t
    for r in range(SERIES_ORDER - 2, -1, -1):
        acc += coef[r][cols]
        acc *= t
    acc -= w_y[cols] * t
    return acc.mean(axis=1)
