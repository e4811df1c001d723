r"""Information theory of the notes: information, entropy, KL divergence and cross-entropy.

For a distribution P over outcomes x (probabilities along the last dimension by default):

    information   I(x)     = -log P(x)                      (rarer events carry more information)
    entropy       H(P)     = E_P[I] = -\sum_x P(x) log P(x)
    KL divergence D(P||Q)  = \sum_x P(x) log(P(x) / Q(x))   (>= 0, = 0 iff P = Q; not symmetric)
    cross-entropy H(P, Q)  = -\sum_x P(x) log Q(x) = H(P) + D(P||Q)

Since H(P) does not depend on the model Q, minimising the cross-entropy minimises the KL
divergence: that is why classification trains on cross-entropy. ``base`` picks the unit: e (nats,
the default, as PyTorch's losses), 2 (bits) or 10; the convention 0 log 0 = 0 applies. All accept
Tensors (differentiable) or array-likes and return Tensors.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _dtype
from ..ops.information import XLogYFn
from ..tensor import Tensor


def _prob(p: Any, name: str) -> Tensor:
    if not isinstance(p, Tensor):
        # NumPy float arrays keep their dtype; Python numbers and lists get the default float
        a = (
            p
            if isinstance(p, np.ndarray) and p.dtype.kind == "f"
            else np.asarray(p, dtype=_dtype.default_np())
        )
        p = Tensor._make(a)
    t = p
    if t._data.dtype.kind != "f":
        t = t.type(_dtype.get_default_dtype())
    a = t._data
    if a.size and not (a.min() >= 0 and a.max() <= 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], found values in [{a.min():.4g}, {a.max():.4g}]"
        )
    return t


def _scale(t: Tensor, base: float) -> Tensor:
    if base == math.e:
        return t
    if base <= 0 or base == 1:
        raise ValueError(f"base must be positive and different from 1, got {base}")
    return t / math.log(base)


def xlogy(x: Any, y: Any) -> Tensor:
    """x log y, defined as 0 where x = 0 (even if y = 0), as ``torch.xlogy``."""
    tx = x if isinstance(x, Tensor) else Tensor._make(np.asarray(x, dtype=_dtype.default_np()))
    ty = y if isinstance(y, Tensor) else Tensor._make(np.asarray(y, dtype=tx._data.dtype))
    return XLogYFn.apply(tx, ty)


def information(p: Any, base: float = math.e) -> Tensor:
    r"""Self-information I = -log_b p of an event of probability p (elementwise; +inf at p = 0)."""
    t = _prob(p, "p")
    with np.errstate(divide="ignore"):
        return _scale(-t.log(), base)


def entropy(p: Any, base: float = math.e, dim: int = -1) -> Tensor:
    r"""Shannon entropy H(P) = -\sum_x P(x) log_b P(x) over ``dim`` (0 log 0 = 0).

    >>> round(entropy([0.5, 0.5], base=2).item(), 6)
    1.0
    """
    t = _prob(p, "p")
    return _scale(-XLogYFn.apply(t, t).sum(dim), base)


def kl_divergence(p: Any, q: Any, base: float = math.e, dim: int = -1) -> Tensor:
    r"""D(P||Q) = \sum_x P(x) log_b(P(x)/Q(x)) over ``dim``; +inf where Q(x) = 0 < P(x)."""
    tp, tq = _prob(p, "p"), _prob(q, "q")
    return _scale((XLogYFn.apply(tp, tp) - XLogYFn.apply(tp, tq)).sum(dim), base)


def cross_entropy_between(p: Any, q: Any, base: float = math.e, dim: int = -1) -> Tensor:
    r"""H(P, Q) = -\sum_x P(x) log_b Q(x) = H(P) + D(P||Q), over ``dim``.

    With P one-hot on the true class this is -log Q(true class): the classification loss.
    """
    tp, tq = _prob(p, "p"), _prob(q, "q")
    return _scale(-XLogYFn.apply(tp, tq).sum(dim), base)


__all__ = ["information", "entropy", "kl_divergence", "cross_entropy_between", "xlogy"]
