"""Ops that place or pick elements by index or position: scatter, scatter_add, diag, tril/triu,
and einsum (a contraction whose backward is another einsum)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.op import Op
from .shape import Index, IndexScatter


def scatter_key(index: np.ndarray, dim: int) -> tuple:
    """The NumPy key that addresses ``self[i][j][index[i][j]]...`` (``index`` along ``dim``)."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _head(src: np.ndarray, shape: tuple) -> np.ndarray:
    """The leading ``shape`` block of ``src`` (torch reads only that part of ``src``)."""
    return src[tuple(slice(0, n) for n in shape)]


class Scatter(Op):
    """y = x, then y[key(index)] = src (key along ``dim``, see :func:`scatter_key`).

    dL/dx = dL/dy with the overwritten positions zeroed; dL/dsrc = dL/dy[key] in src's leading
    block, 0 elsewhere.
    """

    arity = 2

    def forward(self, x, src, index, dim):
        self.key, self.src_shape, self.n = scatter_key(index, dim), src.shape, index.shape
        out = x.copy()
        out[self.key] = _head(src, index.shape)
        return out

    def name(self) -> str:
        return "ScatterBackward0"

    def backward(self, g):
        gx = g.copy()
        gx[self.key] = 0
        gs = np.zeros(self.src_shape, g.dtype)
        gs[tuple(slice(0, n) for n in self.n)] = g[self.key]
        return gx, gs

    def backward_graph(self, g):
        mask = np.ones(g.shape, g._data.dtype)
        mask[self.key] = 0
        gx = g * g._make(mask) if self.needs_input_grad[0] else None
        return gx, (_src_grad(self, g) if self.needs_input_grad[1] else None)


def _src_grad(node: Any, g: Any) -> Any:
    """dL/dsrc of a scatter on tensors: g at the scattered positions, in src's leading block."""
    picked = Index.apply(g, node.key, True)
    if tuple(node.n) == tuple(node.src_shape):
        return picked
    return IndexScatter.apply(picked, node.src_shape, tuple(slice(0, n) for n in node.n), False)


class ScatterAdd(Op):
    """y = x, then y[key(index)] += src (repeated indices add up).

    dL/dx = dL/dy;  dL/dsrc = dL/dy[key] in src's leading block, 0 elsewhere.
    """

    arity = 2

    def forward(self, x, src, index, dim):
        self.key, self.src_shape, self.n = scatter_key(index, dim), src.shape, index.shape
        out = x.copy()
        np.add.at(out, self.key, _head(src, index.shape))
        return out

    def backward(self, g):
        gs = np.zeros(self.src_shape, g.dtype)
        gs[tuple(slice(0, n) for n in self.n)] = g[self.key]
        return g, gs

    def backward_graph(self, g):
        return g, (_src_grad(self, g) if self.needs_input_grad[1] else None)


class Diag(Op):
    """1-D x: y = the matrix with x on its k-th diagonal;  dL/dx = the k-th diagonal of dL/dy.
    2-D x: y = the k-th diagonal of x;  dL/dx = dL/dy placed on the k-th diagonal of zeros."""

    arity = 1

    def forward(self, x, k):
        self.shape, self.k = x.shape, k
        return np.diag(x, k).copy()

    def backward(self, g):
        if len(self.shape) == 1:
            return np.diagonal(g, self.k).copy()
        out = np.zeros(self.shape, g.dtype)
        r = np.arange(g.shape[0])
        out[r - min(self.k, 0), r + max(self.k, 0)] = g
        return out

    def backward_graph(self, g):
        n = self.shape[0] if len(self.shape) == 1 else g.shape[0]
        r = np.arange(n)
        key = (r - min(self.k, 0), r + max(self.k, 0))
        if len(self.shape) == 1:
            return Index.apply(g, key, True)
        return IndexScatter.apply(g, self.shape, key, True)


class Tri(Op):
    """y = tril(x, k) (``upper``: triu);  dL/dx = tril(dL/dy, k) (the same mask)."""

    arity = 1

    def forward(self, x, k, upper):
        self.k, self.fn = k, (np.triu if upper else np.tril)
        self.upper = upper
        return self.fn(x, k)

    def name(self) -> str:
        return "TriuBackward0" if self.upper else "TrilBackward0"

    def backward(self, g):
        return self.fn(g, self.k)

    def backward_graph(self, g):
        return Tri.apply(g, self.k, self.upper)


class Einsum(Op):
    """y = einsum(spec, x_1, ..., x_n);  dL/dx_k = einsum(output, the other inputs -> x_k's indices)
    applied to dL/dy, broadcast over any index that only x_k carries (it was summed out).

    The gradient needs explicit letters (no "...") and no letter repeated within one operand.
    """

    returns_fresh_grads = True

    def forward(self, *args):
        *arrays, spec = args
        self.arrays = arrays
        self.ins, self.out = _parse_einsum(spec, len(arrays))
        return np.asarray(np.einsum(spec, *arrays))

    def backward(self, g):
        grads = []
        for k, subs in enumerate(self.ins):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            if "." in subs or len(set(subs)) != len(subs):
                raise NotImplementedError(
                    "mlplab's einsum gradient needs explicit indices, none repeated within an operand"
                )
            others = [(s, a) for j, (s, a) in enumerate(zip(self.ins, self.arrays)) if j != k]
            seen = set(self.out).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in subs if c in seen)
            spec = ",".join([self.out] + [s for s, _ in others]) + "->" + kept
            part = np.einsum(spec, g, *[a for _, a in others])
            shape = tuple(self.arrays[k].shape[i] if c in seen else 1 for i, c in enumerate(subs))
            grads.append(np.broadcast_to(part.reshape(shape), self.arrays[k].shape).copy())
        return tuple(grads)

    def backward_graph(self, g):
        """Each gradient as another recorded einsum of g and the other (tensor) inputs."""
        grads = []
        for k, subs in enumerate(self.ins):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            if "." in subs or len(set(subs)) != len(subs):
                raise NotImplementedError(
                    "mlplab's einsum gradient needs explicit indices, none repeated within an operand"
                )
            others = [(s, t) for j, (s, t) in enumerate(zip(self.ins, self.parents)) if j != k]
            seen = set(self.out).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in subs if c in seen)
            spec = ",".join([self.out] + [s for s, _ in others]) + "->" + kept
            part = Einsum.apply(g, *[t for _, t in others], spec)
            shape = tuple(self.arrays[k].shape[i] if c in seen else 1 for i, c in enumerate(subs))
            grads.append(part.reshape(shape).expand(*self.arrays[k].shape))
        return tuple(grads)


def _parse_einsum(spec: str, n: int) -> tuple[list[str], str]:
    """The operands' index strings and the output's (implicit output: letters seen once, sorted)."""
    spec = spec.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    ins = lhs.split(",")
    if len(ins) != n:
        raise RuntimeError(f"einsum(): {len(ins)} operands in the equation, but {n} tensors given")
    if not arrow:
        letters = "".join(ins).replace(".", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ins, out
