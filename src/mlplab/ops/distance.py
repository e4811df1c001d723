r"""Norms and distances, one ``Op`` each: p-norm distance between rows (``pairwise_distance``),
cosine similarity, and normalisation to unit p-norm; plus the p-norm and its derivative, which the
triplet loss shares.

The p-norm ||v||_p = (\sum |v_i|^p)^{1/p} (max |v_i| for p = inf) has, for v != 0,
    d||v||_p / dv_i = sign(v_i) |v_i|^{p-1} / ||v||_p^{p-1}
(v / ||v|| for p = 2, sign(v) for p = 1, the sign at the arg-max split evenly among ties for
p = inf), and 0 at v = 0 (PyTorch's choice: a subgradient).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from .elementwise import Sgn


def pnorm(v: np.ndarray, p: float, axis: int) -> np.ndarray:
    """||v||_p along ``axis``, kept as a size-1 axis."""
    a = np.abs(v)
    if math.isinf(p):
        return a.max(axis=axis, keepdims=True) if p > 0 else a.min(axis=axis, keepdims=True)
    if p == 0:
        return (a != 0).sum(axis=axis, keepdims=True).astype(v.dtype)
    if p == 2:
        return np.sqrt((v * v).sum(axis=axis, keepdims=True))
    if p == 1:
        return a.sum(axis=axis, keepdims=True)
    return (a**p).sum(axis=axis, keepdims=True) ** (1 / p)


def pnorm_backward(v: np.ndarray, n: np.ndarray, p: float, g: np.ndarray, axis: int) -> np.ndarray:
    """dL/dv given n = pnorm(v, p, axis) and g = dL/dn (both with the size-1 axis)."""
    if p == 0:
        return np.zeros_like(v)
    if math.isinf(p):
        mask = np.abs(v) == n
        return np.sign(v) * mask * (g / mask.sum(axis=axis, keepdims=True).astype(v.dtype))
    zero = n == 0
    if p == 2:
        return v * np.where(zero, 0, g / np.where(zero, 1, n))
    if p == 1:
        return np.sign(v) * g
    a = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(v == 0, 0, np.sign(v) * a ** (p - 1))
        return scaled * np.where(zero, 0, g / np.where(zero, 1, n) ** (p - 1))


def pnorm_graph(v: Any, p: float, axis: int) -> Any:
    """:func:`pnorm` on a tensor, recorded: max/min |v_i| for p = +-inf (ties share the gradient, as
    torch's norm), the count of non-zeros for p = 0 (a constant: torch's has no derivative)."""
    if p == 0:
        return v._make(pnorm(v._data, 0, axis))
    if math.isinf(p):
        a = v.abs()
        return a.amax(dim=axis, keepdim=True) if p > 0 else a.amin(dim=axis, keepdim=True)
    if p == 2:
        return (v * v).sum(dim=axis, keepdim=True).sqrt()
    if p == 1:
        return v.abs().sum(dim=axis, keepdim=True)
    return (v.abs() ** p).sum(dim=axis, keepdim=True) ** (1 / p)


def pnorm_backward_graph(v: Any, n: np.ndarray, p: float, g: Any, axis: int) -> Any:
    """:func:`pnorm_backward` on tensors (``create_graph``): v and g tensors, n = pnorm(v) the array
    (only its zeros are read: there the gradient is 0, and where |v_i| = n for p = +-inf: sign(v_i)
    g / (the number of such i), as torch's, whose derivative in v is 0). p = 0: zeros, not recorded
    (torch's p = 0 norm has no derivative)."""
    if p == 0:
        return v._make(np.zeros_like(v._data))
    dt = v._data.dtype
    if math.isinf(p):
        mask = np.abs(v._data) == n
        return Sgn.apply(v) * (
            (g / v._make(mask.sum(axis=axis, keepdims=True).astype(dt))) * v._make(mask.astype(dt))
        )
    if p == 1:
        return Sgn.apply(v) * g
    zero, nonzero = v._make((n == 0).astype(dt)), v._make((n != 0).astype(dt))
    if p == 2:
        dist = (v * v).sum(dim=axis, keepdim=True).sqrt()
        return v * (g / (dist + zero) * nonzero)
    a = v.abs()
    dist = (a**p).sum(dim=axis, keepdim=True) ** (1 / p)
    return v._make(np.sign(v._data)) * a ** (p - 1) * (g / (dist + zero) ** (p - 1) * nonzero)


class PairwiseDistanceFn(Op):
    r"""d = ||x_1 - x_2 + \epsilon||_p along the last axis (of the broadcast shape);
    dd/dx_1 = \nabla||.||_p (x_1 - x_2 + \epsilon) = -dd/dx_2."""

    arity = 2

    backward_name = "NormBackward1"

    def forward(self, x1, x2, p, eps, keepdim):
        self.s1, self.s2, self.p, self.keepdim, self.eps = x1.shape, x2.shape, p, keepdim, float(eps)
        self.v = v = x1 - x2 + np.asarray(eps, dtype=np.result_type(x1, x2))
        self.axis = axis = max(v.ndim - 1, 0)
        self.n = n = pnorm(v, p, axis) if v.ndim else np.abs(v)
        return n if keepdim or not v.ndim else n.squeeze(axis)

    def backward(self, g):
        v, n = self.v, self.n
        if not v.ndim:
            gv = np.sign(v) * g
        else:
            gk = g if self.keepdim else np.expand_dims(g, self.axis)
            gv = pnorm_backward(v, n, self.p, gk, self.axis)
        needs = self.needs_input_grad
        return (unbroadcast(gv, self.s1) if needs[0] else None), (
            unbroadcast(-gv, self.s2) if needs[1] else None
        )

    def backward_graph(self, g):
        x1, x2 = self.parents
        v = x1 - x2 + self.eps
        if not self.v.ndim:
            gv = g * v._make(np.sign(self.v))
        else:
            gv = pnorm_backward_graph(
                v, self.n, self.p, g if self.keepdim else g.unsqueeze(self.axis), self.axis
            )
        needs = self.needs_input_grad
        return (sum_to(gv, self.s1) if needs[0] else None), (sum_to(-gv, self.s2) if needs[1] else None)


class CosineSimilarityFn(Op):
    r"""cos = \sum_d (x_1 / n_1)(x_2 / n_2),  n_i = max(||x_i||_2, \epsilon)  (along ``dim``).

    As PyTorch, the clamp at \epsilon is outside the graph: the derivative treats n_i as the norm,
        dcos/dx_1 = x_2 / (n_1 n_2) - (\sum x_1 x_2 / (n_1^2 n_2)) x_1 / ||x_1||   (0 term at x_1 = 0),
    the usual (x_2/||x_2|| - cos x_1/||x_1||) / ||x_1|| when neither norm is clamped.
    """

    arity = 2

    backward_name = "SumBackward1"

    def forward(self, x1, x2, dim, eps):
        self.s1, self.s2, self.dim = x1.shape, x2.shape, dim
        x1, x2 = np.broadcast_arrays(x1, x2)
        r1, r2 = pnorm(x1, 2, dim), pnorm(x2, 2, dim)
        n1, n2 = np.maximum(r1, eps), np.maximum(r2, eps)
        self.x1, self.x2, self.r1, self.r2, self.n1, self.n2 = x1, x2, r1, r2, n1, n2
        return ((x1 / n1) * (x2 / n2)).sum(axis=dim)

    def backward(self, g):
        dim, x1, x2, n1, n2 = self.dim, self.x1, self.x2, self.n1, self.n2
        g = np.expand_dims(g, dim)
        dot = (x1 * x2).sum(axis=dim, keepdims=True)
        out = []
        for i, (xa, xb, na, nb, ra, shape) in enumerate(
            ((x1, x2, n1, n2, self.r1, self.s1), (x2, x1, n2, n1, self.r2, self.s2))
        ):
            if not self.needs_input_grad[i]:
                out.append(None)
                continue
            gn = -g * dot / (na * na * nb)  # dL/d n_a, passed through the norm
            gx = g * xb / (na * nb) + pnorm_backward(xa, ra, 2, gn, dim)
            out.append(unbroadcast(gx, shape))
        return tuple(out)

    def backward_graph(self, g):
        """The same on tensors; n_i = ||x_i|| + (max(||x_i||, eps) - ||x_i||): the clamp's value,
        the norm's derivative (as the array backward)."""
        dim, shape = self.dim, self.x1.shape
        x1, x2 = (t.expand(*shape) if tuple(t.shape) != shape else t for t in self.parents)
        n1 = pnorm_graph(x1, 2, dim) + g._make(self.n1 - self.r1)
        n2 = pnorm_graph(x2, 2, dim) + g._make(self.n2 - self.r2)
        g = g.unsqueeze(dim)
        dot = (x1 * x2).sum(dim=dim, keepdim=True)
        out = []
        for i, (xa, xb, na, nb, ra, s) in enumerate(
            ((x1, x2, n1, n2, self.r1, self.s1), (x2, x1, n2, n1, self.r2, self.s2))
        ):
            if not self.needs_input_grad[i]:
                out.append(None)
                continue
            gn = -g * dot / (na * na * nb)
            out.append(sum_to(g * xb / (na * nb) + pnorm_backward_graph(xa, ra, 2, gn, dim), s))
        return tuple(out)


class NormalizeFn(Op):
    r"""y = x / max(||x||_p, \epsilon) along ``dim``;  with d = max(||x||_p, \epsilon),
    dL/dx = g / d - [||x||_p >= \epsilon] \nabla||x||_p (\sum g x) / d^2."""

    arity = 1

    backward_name = "DivBackward0"

    def forward(self, x, p, dim, eps):
        self.x, self.p, self.dim = x, p, dim
        self.r = r = pnorm(x, p, dim)
        self.d = d = np.maximum(r, eps)
        self.through = r >= eps  # clamp_min passes the gradient where it does not clamp
        return x / d

    def backward(self, g):
        x, d = self.x, self.d
        gd = -(g * x).sum(axis=self.dim, keepdims=True) / (d * d) * self.through
        return g / d + pnorm_backward(x, self.r, self.p, gd, self.dim)

    def backward_graph(self, g):
        x, dim, dt = self.parents[0], self.dim, g._data.dtype
        through = g._make(self.through.astype(dt))
        d = pnorm_graph(x, self.p, dim) * through + g._make(np.where(self.through, 0, self.d).astype(dt))
        gd = -(g * x).sum(dim=dim, keepdim=True) / (d * d) * through
        return g / d + pnorm_backward_graph(x, self.r, self.p, gd, dim)
